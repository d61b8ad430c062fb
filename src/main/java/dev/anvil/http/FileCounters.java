package dev.anvil.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** File-serving counters, shown under {@code http} in {@code /api/v1/status}. */
public final class FileCounters {
    final LongAdder requests = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder partial = new LongAdder();
    final LongAdder notModified = new LongAdder();
    final LongAdder unsatisfiable = new LongAdder();
    final LongAdder notFound = new LongAdder();
    final LongAdder forbidden = new LongAdder();
    final LongAdder generated = new LongAdder();

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
