/**
 * The DHCP start-up snapshot: what the DHCP decision needs (config, boot environments as DHCP sees them,
 * networks, reservations) in one CRC-framed file, {@code <stateDir>/dhcp.snapshot}, so a restart answers DHCP
 * before the configuration is parsed and the store opened ({@code dev.anvil.EarlyDhcp}). {@link
 * dev.anvil.dhcp.snapshot.SnapshotKeeper} keeps it exact: it exists only while no node or network write has
 * begun since it was written. No netty, no JDBC.
 */
package dev.anvil.dhcp.snapshot;
