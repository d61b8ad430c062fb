/**
 * DHCP packets and options to and from bytes; pure (no I/O, no netty); malformed input is a {@link
 * dev.anvil.dhcp.codec.MalformedPacketException}.
 */
package dev.anvil.dhcp.codec;
