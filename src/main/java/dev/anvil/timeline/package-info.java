/**
 * The per-node boot timeline's recorder ({@link dev.anvil.timeline.TimelineRecorder}): a bounded queue the
 * protocol threads put events in (full: dropped and counted), one writer thread that finds each event's node and
 * stores them in batches, the node events turned into lifecycle entries. Imports the core, the store interfaces,
 * the configuration and {@code lifecycle}; never a protocol, the API or a store backend; only the wiring
 * ({@code dev.anvil}) imports it (ArchitectureTest).
 */
package dev.anvil.timeline;
