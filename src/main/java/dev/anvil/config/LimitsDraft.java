package dev.anvil.config;

import dev.anvil.core.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code limits:} mapping of {@code http:} or {@code api:} as written. */
record LimitsDraft(
        Integer idleTimeoutSeconds,
        Integer headerTimeoutSeconds,
        Integer bodyTimeoutSeconds,
        Integer sendTimeoutSeconds,
        Integer maxConnections,
        Integer maxConnectionsPerClient,
        Integer maxRequestLineBytes,
        Integer maxHeaderBytes,
        Integer maxBodyBytes) {
    static final int MAX_TIMEOUT_SECONDS = 3600;
    static final int MIN_BODY_BYTES = 1024;
    static final int MAX_BODY_BYTES = 64 << 20;

    /**
     * The limits of a listener section: {@code draft} (may be null) over {@code defaults}; {@code maxRequestBytes}
     * is the section's older spelling of {@code limits.maxBodyBytes}. Problems go into {@code v} (fields relative
     * to the section); null when there were any.
     */
    static HttpLimits resolve(LimitsDraft draft, Integer maxRequestBytes, HttpLimits defaults, List<Violation> v) {
        LimitsDraft d = draft == null ? new LimitsDraft(null, null, null, null, null, null, null, null, null) : draft;
        List<Violation> section = new ArrayList<>();
        List<Violation> own = new ArrayList<>();
        Drafts.range(section, "maxRequestBytes", maxRequestBytes, MIN_BODY_BYTES, MAX_BODY_BYTES);
        if (maxRequestBytes != null && d.maxBodyBytes != null) {
            section.add(new Violation(
                    "maxRequestBytes",
                    "is the older spelling of limits.maxBodyBytes; give only " + "limits.maxBodyBytes"));
        }
        Drafts.range(own, "idleTimeoutSeconds", d.idleTimeoutSeconds, 1, MAX_TIMEOUT_SECONDS);
        Drafts.range(own, "headerTimeoutSeconds", d.headerTimeoutSeconds, 1, MAX_TIMEOUT_SECONDS);
        Drafts.range(own, "bodyTimeoutSeconds", d.bodyTimeoutSeconds, 1, MAX_TIMEOUT_SECONDS);
        Drafts.range(own, "sendTimeoutSeconds", d.sendTimeoutSeconds, 1, MAX_TIMEOUT_SECONDS);
        Drafts.range(own, "maxConnections", d.maxConnections, 1, 1_000_000);
        int total = d.maxConnections == null ? defaults.maxConnections() : d.maxConnections;
        int perClient = d.maxConnectionsPerClient == null
                ? Math.min(defaults.maxConnectionsPerClient(), total)
                : d.maxConnectionsPerClient;
        if (d.maxConnectionsPerClient != null && (perClient < 1 || perClient > total)) {
            own.add(new Violation(
                    "maxConnectionsPerClient", perClient + " is outside 1..maxConnections (" + total + ")"));
        }
        Drafts.range(own, "maxRequestLineBytes", d.maxRequestLineBytes, 256, 64 << 10);
        Drafts.range(own, "maxHeaderBytes", d.maxHeaderBytes, 1024, 1 << 20);
        Drafts.range(own, "maxBodyBytes", d.maxBodyBytes, MIN_BODY_BYTES, MAX_BODY_BYTES);
        own.forEach(o -> section.add(new Violation("limits." + o.field(), o.message())));
        v.addAll(section);
        if (!section.isEmpty()) {
            return null;
        }
        int body = d.maxBodyBytes != null
                ? d.maxBodyBytes
                : maxRequestBytes != null ? maxRequestBytes : defaults.maxBodyBytes();
        return new HttpLimits(
                seconds(d.idleTimeoutSeconds, defaults.idleTimeout()),
                seconds(d.headerTimeoutSeconds, defaults.headerTimeout()),
                seconds(d.bodyTimeoutSeconds, defaults.bodyTimeout()),
                seconds(d.sendTimeoutSeconds, defaults.sendTimeout()),
                total,
                perClient,
                d.maxRequestLineBytes == null ? defaults.maxRequestLineBytes() : d.maxRequestLineBytes,
                d.maxHeaderBytes == null ? defaults.maxHeaderBytes() : d.maxHeaderBytes,
                body);
    }

    private static Duration seconds(Integer value, Duration fallback) {
        return value == null ? fallback : Duration.ofSeconds(value);
    }
}
