package dev.anvil.core.auth;

import java.util.Locale;
import java.util.Optional;

/** What a token may do on the admin API. */
public enum Role {
    /** Everything, including tokens. */
    ADMIN,
    /** GET and HEAD only; any other method is 403. */
    READ_ONLY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Role> parse(String s) {
        for (Role r : values()) {
            if (r.wireName().equals(s)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
