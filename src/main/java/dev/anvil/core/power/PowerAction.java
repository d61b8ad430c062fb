package dev.anvil.core.power;

import java.util.Locale;
import java.util.Optional;

/** What an operator asks of a BMC, by its wire name ({@code on}, {@code off}, {@code soft-off}, ...). */
public enum PowerAction {
    STATUS,
    ON,
    OFF,
    SOFT_OFF,
    CYCLE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<PowerAction> parse(String s) {
        for (PowerAction a : values()) {
            if (a.wireName().equals(s)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
