/**
 * Services that start and stop cleanly, in order, with bounded waits ({@link dev.anvil.lifecycle.Services}),
 * how a service registers its counters as meters ({@link dev.anvil.lifecycle.Meters}; Micrometer only), and the
 * throttle that keeps log lines a client can trigger to one per cause and interval
 * ({@link dev.anvil.lifecycle.LogThrottle}). Imports nothing of ours.
 */
package dev.anvil.lifecycle;
