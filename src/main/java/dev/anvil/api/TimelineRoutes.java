package dev.anvil.api;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.timeline.TimelineEvent;
import dev.anvil.store.TimelineStore;
import io.netty.handler.codec.http.HttpMethod;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * {@code GET /api/v1/nodes/{id}/timeline?limit=N}: the node's latest boot timeline events, oldest first (doc/api.md).
 * {@code dropped} counts the events the recorder dropped since the daemon started because its queue was full (for
 * any node: an event is dropped before its node is known).
 */
public final class TimelineRoutes {
    static final int DEFAULT_LIMIT = 200;
    static final int MAX_LIMIT = 1000;
    /** ISO-8601 in UTC, always to the microsecond (the store's precision): one width, sortable as text. */
    static final DateTimeFormatter AT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final Function<String, Node> find;
    private final TimelineStore store;
    private final LongSupplier dropped;

    public TimelineRoutes(Function<String, Node> find, TimelineStore store, LongSupplier dropped) {
        this.find = find;
        this.store = store;
        this.dropped = dropped;
    }

    public void register(Router r) {
        r.add(HttpMethod.GET, "/api/v1/nodes/{id}/timeline", req -> {
            int limit = limit(req);
            Node n = find.apply(req.param("id"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", n.name());
            m.put("events", events(store.latest(n.id(), limit)));
            m.put("dropped", dropped.getAsLong());
            return ApiResponse.ok(m);
        });
    }

    private static int limit(ApiRequest req) {
        String v = req.queryParam("limit").orElse(null);
        if (v == null) {
            return DEFAULT_LIMIT;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be a whole number from 1 to " + MAX_LIMIT, "limit");
        }
        return n;
    }

    static List<Map<String, Object>> events(List<TimelineEvent> events) {
        return events.stream()
                .map(e -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("at", AT.format(e.at()));
                    m.put("source", e.source().wire());
                    m.put("event", e.event());
                    m.put("mac", e.mac().map(MacAddress::toString).orElse(null));
                    m.put("address", e.address().map(Ipv4Address::toString).orElse(null));
                    m.put("detail", e.detail());
                    return m;
                })
                .toList();
    }
}
