package dev.anvil.http;

import static dev.anvil.lifecycle.Meters.count;
import static dev.anvil.lifecycle.Meters.timer;

import dev.anvil.lifecycle.Meters;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * File-serving counters, shown under {@code http} in {@code /api/v1/status} and as {@code anvil_http_file_*} in
 * {@code /metrics}; the response time and size histograms once {@link #bindTo} has given them a registry.
 */
public final class FileCounters {
    static final Duration[] TIME_BUCKETS = {
        Duration.ofMillis(1),
        Duration.ofMillis(10),
        Duration.ofMillis(100),
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        Duration.ofSeconds(60),
        Duration.ofSeconds(300)
    };

    /** 1 KiB, 64 KiB, 1, 16, 64, 256 MiB, 1 GiB, 4 GiB. */
    static final double[] SIZE_BUCKETS = {
        1 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20, 256 << 20, 1 << 30, 4.0 * (1 << 30)
    };

    private static final String[] STATUS_CLASSES = {"2xx", "3xx", "4xx", "5xx"};

    final LongAdder requests = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder partial = new LongAdder();
    final LongAdder notModified = new LongAdder();
    final LongAdder unsatisfiable = new LongAdder();
    final LongAdder notFound = new LongAdder();
    final LongAdder forbidden = new LongAdder();
    final LongAdder generated = new LongAdder();

    /** By status class, index {@code status / 100 - 2}; null until bound. */
    private volatile Timer[] times;

    private volatile DistributionSummary[] sizes;

    boolean timed() {
        return times != null;
    }

    /** One file answer written to its end: its status, time from the request and bytes of body. */
    void answered(int status, long nanos, long bodyBytes) {
        Timer[] t = times;
        DistributionSummary[] s = sizes;
        int i = status / 100 - 2;
        if (t != null && s != null && i >= 0 && i < t.length) {
            t[i].record(nanos, TimeUnit.NANOSECONDS);
            s[i].record(bodyBytes);
        }
    }

    /** The counters as {@code anvil_http_file_*} meters (read at scrape time) and the response histograms. */
    public void bindTo(MeterRegistry r) {
        count(r, "anvil.http.file.requests", "requests under a file mount (boot listener)", requests);
        count(r, "anvil.http.file.sent.bytes", "body bytes of file answers (HEAD: none)", bytes);
        String results = "file requests by notable result (the rest are whole 200s)";
        count(r, "anvil.http.file.results", results, partial, "result", "partial");
        count(r, "anvil.http.file.results", results, notModified, "result", "not_modified");
        count(r, "anvil.http.file.results", results, unsatisfiable, "result", "range_not_satisfiable");
        count(r, "anvil.http.file.results", results, notFound, "result", "not_found");
        count(r, "anvil.http.file.results", results, forbidden, "result", "forbidden");
        count(r, "anvil.http.file.results", results, generated, "result", "generated");
        Timer[] t = new Timer[STATUS_CLASSES.length];
        DistributionSummary[] s = new DistributionSummary[t.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = timer(
                    r,
                    "anvil.http.file.response",
                    "file answers: time from the request to the last byte handed to the kernel," + " by status class",
                    TIME_BUCKETS,
                    "status",
                    STATUS_CLASSES[i]);
            s[i] = Meters.bytes(
                    r,
                    "anvil.http.file.response.size",
                    "file answers: body bytes, by status class",
                    SIZE_BUCKETS,
                    "status",
                    STATUS_CLASSES[i]);
        }
        sizes = s;
        times = t;
    }

    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fileRequests", requests.sum());
        m.put("fileBytes", bytes.sum());
        m.put("partial", partial.sum());
        m.put("notModified", notModified.sum());
        m.put("unsatisfiable", unsatisfiable.sum());
        m.put("notFound", notFound.sum());
        m.put("forbidden", forbidden.sum());
        m.put("generated", generated.sum());
        return m;
    }
}
