package dev.anvil.core.power;

import java.util.Locale;
import java.util.Optional;

/** The IPMI privilege level a session asks for ({@code ipmitool -L}); power control needs operator or above. */
public enum Privilege {
    USER,
    OPERATOR,
    ADMINISTRATOR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Privilege> parse(String s) {
        for (Privilege p : values()) {
            if (p.wireName().equals(s)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
