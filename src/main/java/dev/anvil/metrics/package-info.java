/**
 * {@code GET /metrics}: the daemon's one Micrometer registry ({@link dev.anvil.metrics.Metrics}, Prometheus text
 * format through Micrometer's Prometheus registry, with the JVM's meters) and the meters no single service owns
 * ({@link dev.anvil.metrics.InventoryMeters}: nodes by state and time in state, leases and pool use per network).
 * Each service binds its own counters (Micrometer's {@code MeterBinder}); the wiring hands them this registry.
 * Imports the core only, and no protocol.
 */
package dev.anvil.metrics;
