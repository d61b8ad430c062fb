/**
 * Durable background tasks (SSH reboot and scripts; netboot and power-off through a node's BMC) with limits, timeouts
 * and backoff, the aliveness checks over SSH, and the periodic power-state poll of the BMCs; on a store several
 * anvild share, this instance's heartbeat and the takeover of silent peers' tasks ({@code Cluster}).
 */
package dev.anvil.tasks;
