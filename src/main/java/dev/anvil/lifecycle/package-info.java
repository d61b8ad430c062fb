/**
 * Services that start and stop cleanly, in order, with bounded waits ({@link dev.anvil.lifecycle.Services}).
 * Imports nothing of ours.
 */
package dev.anvil.lifecycle;
