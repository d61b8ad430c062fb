/**
 * The pure domain: no netty, no JDBC, no files, no configuration. Imports nothing of ours outside {@code
 * dev.anvil.core} (ArchitectureTest); everything else builds on it.
 */
package dev.anvil.core;
