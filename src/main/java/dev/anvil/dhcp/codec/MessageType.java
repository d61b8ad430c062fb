package dev.anvil.dhcp.codec;

/** DHCP message types (option 53, RFC 2132 §9.6). */
public enum MessageType {
    DISCOVER(1),
    OFFER(2),
    REQUEST(3),
    DECLINE(4),
    ACK(5),
    NAK(6),
    RELEASE(7),
    INFORM(8);

    private static final MessageType[] BY_CODE = values(); // values() copies its array on every call

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a code, or null for one outside 1..8 (such packets are dropped by the policy). */
    public static MessageType of(int code) {
        return code >= 1 && code <= 8 ? BY_CODE[code - 1] : null;
    }
}
