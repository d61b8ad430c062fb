package dev.anvil.config;

import dev.anvil.core.Violation;
import java.util.List;

/** Checks shared by the section drafts. */
final class Drafts {
    private Drafts() {}

    /** A present value outside min..max is a violation of {@code field}. */
    static void range(List<Violation> v, String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            v.add(new Violation(field, value + " is outside " + min + ".." + max));
        }
    }
}
