/**
 * The DHCP transport: sockets per interface, relays, port 4011, batching, counters; runs the policy and persists
 * leases.
 */
package dev.anvil.dhcp.server;
