/**
 * DHCPv6 server: the netty listener (one socket per interface, bound to its device and joined to
 * {@code ff02::1:2}), the packet path with its relay wrapping, and its counters. Imports config, core,
 * lifecycle, {@code dhcp6.codec} and {@code dhcp6.policy}.
 */
package dev.anvil.dhcp6.server;
