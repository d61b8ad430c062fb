package dev.anvil.dhcp.codec;

/** The bytes are not a DHCP packet this codec can read: truncated, overrunning, or structurally wrong. */
public final class MalformedPacketException extends Exception {
    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }
}
