package dev.anvil.dhcp6.codec;

import java.util.Optional;

/** DHCPv6 message types (RFC 8415 §7.3); the two relay types have the relay header, the others a transaction id. */
public enum MessageType {
    SOLICIT(1),
    ADVERTISE(2),
    REQUEST(3),
    CONFIRM(4),
    RENEW(5),
    REBIND(6),
    REPLY(7),
    RELEASE(8),
    DECLINE(9),
    RECONFIGURE(10),
    INFORMATION_REQUEST(11),
    RELAY_FORW(12),
    RELAY_REPL(13);

    private static final MessageType[] BY_CODE = new MessageType[14];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public boolean isRelay() {
        return this == RELAY_FORW || this == RELAY_REPL;
    }

    public static Optional<MessageType> of(int code) {
        return code > 0 && code < BY_CODE.length ? Optional.of(BY_CODE[code]) : Optional.empty();
    }
}
