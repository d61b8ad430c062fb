/**
 * The DHCP decision, pure: request + network + node + lease view in, reply and lease change out ({@link
 * dev.anvil.dhcp.policy.DhcpResponder}).
 */
package dev.anvil.dhcp.policy;
