/**
 * The DNS transport: UDP per event loop, TCP, AXFR and NOTIFY; {@link dev.anvil.dns.server.DnsZones} applies
 * versioned node events to the zones.
 */
package dev.anvil.dns.server;
