/**
 * Power control through a node's baseboard management controller (issue 19, doc/power.md): the {@link
 * dev.anvil.core.power.PowerDriver} port every driver implements (IPMI, Redfish), the per-node {@link
 * dev.anvil.core.power.Bmc} settings (a {@link dev.anvil.core.power.SecretRef} in place of the password), the
 * {@link dev.anvil.core.power.Secret} that is only ever handed to a driver, the {@link
 * dev.anvil.core.power.SecretCipher} port that seals it at rest, and the {@link
 * dev.anvil.core.power.PowerException} kinds; what the lifecycle asks of a BMC ({@link
 * dev.anvil.core.power.NodePower}: netboot, power off, poll) and a node's last {@link
 * dev.anvil.core.power.PowerReading}. Pure: imports nothing of ours outside the core.
 */
package dev.anvil.core.power;
