package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code power:} section as written. */
record PowerDraft(Integer pollIntervalSeconds, Integer pollConcurrency) {

    PowerConfig validate() {
        List<Violation> v = new ArrayList<>();
        Drafts.range(v, "pollIntervalSeconds", pollIntervalSeconds, 0, 86_400);
        Drafts.range(v, "pollConcurrency", pollConcurrency, 1, 256);
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        PowerConfig d = PowerConfig.defaults();
        return new PowerConfig(
                pollIntervalSeconds == null ? d.pollInterval() : Duration.ofSeconds(pollIntervalSeconds),
                pollConcurrency == null ? d.pollConcurrency() : pollConcurrency);
    }
}
