package dev.anvil.config;

import dev.anvil.core.Violation;
import java.util.List;

/** Checks shared by the section drafts. */
final class Drafts {
    private Drafts() {}

    /** A Linux interface name as {@code dhcp.interfaces} and {@code ra.interfaces} accept it. */
    static final String INTERFACE_NAME = "[A-Za-z0-9_.:@-]{1,15}";

    /** A present value outside min..max is a violation of {@code field}. */
    static void range(List<Violation> v, String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            v.add(new Violation(field, value + " is outside " + min + ".." + max));
        }
    }
}
