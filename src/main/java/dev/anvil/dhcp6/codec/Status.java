package dev.anvil.dhcp6.codec;

import java.util.Optional;

/** The status codes of RFC 8415 §21.13 (and NoPrefixAvail, §21.13 too, for prefix delegation). */
public enum Status {
    SUCCESS(0),
    UNSPEC_FAIL(1),
    NO_ADDRS_AVAIL(2),
    NO_BINDING(3),
    NOT_ON_LINK(4),
    USE_MULTICAST(5),
    NO_PREFIX_AVAIL(6);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<Status> of(int code) {
        return code >= 0 && code < values().length ? Optional.of(values()[code]) : Optional.empty();
    }
}
