/**
 * Services that start and stop cleanly, in order, with bounded waits ({@link dev.anvil.lifecycle.Services}), and
 * how a service registers its counters as meters ({@link dev.anvil.lifecycle.Meters}; Micrometer only).
 * Imports nothing of ours.
 */
package dev.anvil.lifecycle;
