/**
 * A DHCP lease as a value ({@link dev.anvil.core.lease.Lease}) and its states.
 */
package dev.anvil.core.lease;
