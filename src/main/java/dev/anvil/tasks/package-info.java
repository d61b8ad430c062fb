/**
 * Durable background tasks (reboot, scripts) with limits, timeouts and backoff, and the aliveness checks over SSH.
 */
package dev.anvil.tasks;
