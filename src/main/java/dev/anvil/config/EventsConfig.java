package dev.anvil.config;

import java.time.Duration;

/**
 * The admin listener's live change stream, {@code GET /api/v1/events} ({@code api.events}; doc/api.md).
 *
 * @param maxStreams streams open at once; one more is refused with 503 and {@code Retry-After}
 * @param maxBacklog events queued for one stream and not yet sent; a reader that falls further behind is
 *     disconnected (and counted), so a stalled client holds at most this many events in memory
 * @param heartbeat how often an idle stream gets a comment line, so proxies and clients see it is alive
 */
public record EventsConfig(int maxStreams, int maxBacklog, Duration heartbeat) {
    public EventsConfig {
        if (maxStreams < 1 || maxBacklog < 1 || heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("events: maxStreams, maxBacklog and heartbeat must be positive");
        }
    }

    public static EventsConfig defaults() {
        return new EventsConfig(16, 256, Duration.ofSeconds(15));
    }
}
