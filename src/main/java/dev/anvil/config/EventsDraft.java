package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code api.events:} section as written. */
record EventsDraft(Integer maxStreams, Integer maxBacklog, Integer heartbeatSeconds) {

    EventsConfig validate() {
        List<Violation> v = new ArrayList<>();
        Drafts.range(v, "maxStreams", maxStreams, 1, 1024);
        Drafts.range(v, "maxBacklog", maxBacklog, 1, 65_536);
        Drafts.range(v, "heartbeatSeconds", heartbeatSeconds, 1, 3600);
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        EventsConfig d = EventsConfig.defaults();
        return new EventsConfig(
                maxStreams == null ? d.maxStreams() : maxStreams,
                maxBacklog == null ? d.maxBacklog() : maxBacklog,
                heartbeatSeconds == null ? d.heartbeat() : Duration.ofSeconds(heartbeatSeconds));
    }
}
