package dev.anvil.core.power;

import java.util.Locale;
import java.util.Objects;

/** A BMC that did not do what was asked, by {@link Kind}; the message never carries the secret. */
public final class PowerException extends RuntimeException {
    /** Why. */
    public enum Kind {
        /** No answer at the address (nothing listens, no route, a name that does not resolve). */
        UNREACHABLE,
        /** The BMC refused the user, the password or the privilege level. */
        AUTH_FAILED,
        /** The BMC answered but does not do this (a command, a cipher suite, a boot device). */
        UNSUPPORTED,
        /** No complete answer within the bound (the call was killed). */
        TIMED_OUT,
        /** Too many power calls at once: every slot is busy. */
        BUSY,
        /** Anything else the BMC or the tool answered. */
        FAILED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Kind kind;

    public PowerException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
