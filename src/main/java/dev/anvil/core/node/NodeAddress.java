package dev.anvil.core.node;

import dev.anvil.core.net.Ipv4Address;

/** A node's IPv4 address on one network (its IPv6 address is derived, never stored). */
public record NodeAddress(String network, Ipv4Address ipv4) {}
