/**
 * DHCPv6 messages (RFC 8415) and their options, including the network-boot options of RFC 5970 and the
 * client link-layer address of RFC 6939, to and from bytes. Pure: no I/O, no netty, no sockets; malformed
 * input is a {@link dev.anvil.dhcp6.codec.MalformedPacketException} and nothing else, with work and memory
 * bounded by the input's size. Imports the JDK and {@code dev.anvil.core} only (never {@code dev.anvil.dhcp}:
 * protocols do not import each other).
 */
package dev.anvil.dhcp6.codec;
