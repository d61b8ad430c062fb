package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.util.ArrayList;
import java.util.List;

/** The {@code timeline:} section as written. */
record TimelineDraft(Integer eventsPerNode, Integer queue) {

    TimelineConfig validate() {
        List<Violation> v = new ArrayList<>();
        Drafts.range(v, "eventsPerNode", eventsPerNode, 1, 100_000);
        Drafts.range(v, "queue", queue, 16, 1_000_000);
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        TimelineConfig d = TimelineConfig.defaults();
        return new TimelineConfig(
                eventsPerNode == null ? d.eventsPerNode() : eventsPerNode, queue == null ? d.queue() : queue);
    }
}
