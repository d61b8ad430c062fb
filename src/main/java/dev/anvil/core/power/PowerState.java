package dev.anvil.core.power;

import java.util.Locale;

/** A machine's power as its BMC reports it. */
public enum PowerState {
    ON,
    OFF;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
