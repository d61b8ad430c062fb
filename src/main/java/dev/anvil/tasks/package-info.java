/**
 * Durable background tasks (SSH reboot and scripts; netboot and power-off through a node's BMC) with limits, timeouts
 * and backoff, the aliveness checks over SSH, and the periodic power-state poll of the BMCs.
 */
package dev.anvil.tasks;
