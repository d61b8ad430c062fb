/**
 * DHCPv4: {@code codec} (pure wire format), {@code policy} (the pure RFC 2131 decision; its boot answer comes from
 * the core BootPlan), {@code lease} (the in-memory lease book), {@code server} (netty transport), {@code snapshot}
 * (the start-up snapshot). Never imports another protocol.
 */
package dev.anvil.dhcp;
