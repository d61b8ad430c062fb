package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.util.ArrayList;
import java.util.List;

/** The {@code discovery:} section as written. */
record DiscoveryDraft(Integer perSourcePerMinute, Integer perMacPerMinute, Integer maxPending) {

    DiscoveryConfig validate() {
        List<Violation> v = new ArrayList<>();
        Drafts.range(v, "perSourcePerMinute", perSourcePerMinute, 1, 1_000_000);
        Drafts.range(v, "perMacPerMinute", perMacPerMinute, 1, 10_000);
        Drafts.range(v, "maxPending", maxPending, 1, 10_000_000);
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        DiscoveryConfig d = DiscoveryConfig.defaults();
        return new DiscoveryConfig(
                perSourcePerMinute == null ? d.perSourcePerMinute() : perSourcePerMinute,
                perMacPerMinute == null ? d.perMacPerMinute() : perMacPerMinute,
                maxPending == null ? d.maxPending() : maxPending);
    }
}
