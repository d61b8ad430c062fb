package dev.anvil.http;

import dev.anvil.config.HttpLimits;
import dev.anvil.lifecycle.LogThrottle;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's refusals: a counter per {@link Refusal}, shown with the open connections under
 * {@code services.<listener>.metrics.limits} in {@code /api/v1/status}, and one log line per cause at most every
 * {@link #LOG_INTERVAL} (idle timeouts, the normal end of a keep-alive connection, at debug only), e.g.
 * {@code http: 10.0.0.5: closed a connection: the request head did not arrive within 10 s
 * (limits.headerTimeoutSeconds; 41 more since the last line)}.
 */
public final class LimitCounters {
    private static final Logger log = LoggerFactory.getLogger(LimitCounters.class);
    static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    private final String listener;
    private final HttpLimits limits;
    private final Map<Refusal, LongAdder> counts = new EnumMap<>(Refusal.class);
    private final Map<Refusal, LogThrottle> throttles = new EnumMap<>(Refusal.class);

    public LimitCounters(String listener, HttpLimits limits) {
        this.listener = listener;
        this.limits = limits;
        for (Refusal r : Refusal.values()) {
            counts.put(r, new LongAdder());
            throttles.put(r, new LogThrottle(LOG_INTERVAL));
        }
    }

    /** Counts one refusal of {@code client} and logs it unless a line for the same cause went out recently. */
    public void count(Refusal r, java.net.SocketAddress remote, String detail) {
        counts.get(r).increment();
        String client = remote instanceof java.net.InetSocketAddress a && a.getAddress() != null
                ? dev.anvil.core.net.ClientAddress.format(a.getAddress())
                : String.valueOf(remote);
        if (r == Refusal.IDLE_TIMEOUT) {
            log.debug("{}: {}: {}", listener, client, r.describe(limits));
            return;
        }
        long quiet = throttles.get(r).permit(System.nanoTime());
        if (quiet < 0) {
            return;
        }
        String why = r.describe(limits) + (detail == null ? "" : " (" + detail + ")");
        String note = (r.limit() == null ? "" : r.limit())
                + (quiet == 0 ? "" : (r.limit() == null ? "" : "; ") + quiet + " more since the last line");
        if (r == Refusal.TOO_MANY_CONNECTIONS || r == Refusal.TOO_MANY_FROM_CLIENT) {
            log.warn("{}: {}: {}{}", listener, client, why, note.isEmpty() ? "" : " (" + note + ")");
        } else {
            log.info("{}: {}: {}{}", listener, client, why, note.isEmpty() ? "" : " (" + note + ")");
        }
    }

    /** A counter per refusal as {@code anvil_http_refused_total{listener, reason}} (read at scrape time). */
    public void bindTo(io.micrometer.core.instrument.MeterRegistry r) {
        for (Refusal x : Refusal.values()) {
            dev.anvil.lifecycle.Meters.count(
                    r,
                    "anvil.http.refused",
                    "connections or requests refused or closed by a limit, by listener and reason",
                    counts.get(x),
                    "listener",
                    listener,
                    "reason",
                    x.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    public long get(Refusal r) {
        return counts.get(r).sum();
    }

    /** Every counter by its name, in declaration order. */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Refusal r : Refusal.values()) {
            m.put(r.counter(), counts.get(r).sum());
        }
        return m;
    }
}
