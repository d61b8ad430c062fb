package dev.anvil.dhcp6.codec;

/** The bytes are not a DHCPv6 message this codec can read: truncated, overrunning, or structurally wrong. */
public final class MalformedPacketException extends Exception {
    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }
}
