/**
 * TFTP packets to and from bytes, pure; malformed input is a {@link
 * dev.anvil.tftp.codec.MalformedPacketException}.
 */
package dev.anvil.tftp.codec;
