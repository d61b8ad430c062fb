package dev.anvil.api;

import dev.anvil.core.node.NodeState;
import dev.anvil.lifecycle.Service;
import dev.anvil.store.Store;
import dev.anvil.store.StoreHealth;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/status}: version, uptime, this instance's name (and on a shared store its live peers), each
 * service's state, node counts by state, store health.
 */
public final class StatusRoutes {
    private final String version;
    private final Clock clock;
    private final Instant started;
    private final Supplier<List<Service>> services;
    private final Store store;
    private final Map<String, Supplier<Map<String, Object>>> refusals;
    private final String instance;
    private final Optional<Supplier<List<Peer>>> peers;

    /**
     * {@code refusals}: counters of what the trust boundary turned away (the API's gate, discovery); {@code
     * instance}: this anvild's name in the store; {@code peers}: on a store several instances may share
     * (PostgreSQL), the others whose heartbeat is recent.
     */
    public StatusRoutes(
            String version,
            Clock clock,
            Supplier<List<Service>> services,
            Store store,
            Map<String, Supplier<Map<String, Object>>> refusals,
            String instance,
            Optional<Supplier<List<Peer>>> peers) {
        this.instance = instance;
        this.peers = peers;
        this.refusals = refusals;
        this.version = version;
        this.clock = clock;
        this.started = clock.instant();
        this.services = services;
        this.store = store;
    }

    /** A live peer: when it started and when it last wrote its heartbeat (ISO-8601 instants). */
    public record Peer(String id, String startedAt, String heartbeatAt) {
        public Peer(String id, Instant startedAt, Instant heartbeatAt) {
            this(id, startedAt.toString(), heartbeatAt.toString());
        }
    }

    public record Status(
            String version,
            long uptimeSeconds,
            String instance,

            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            List<Peer> peers,

            Map<String, ServiceStatus> services,
            NodeCounts nodes,
            StoreStatus store,
            Map<String, Map<String, Object>> security) {}

    public record ServiceStatus(
            String state,

            @com.fasterxml.jackson.annotation.JsonInclude(
                    com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
            Map<String, Object> metrics) {}

    public record NodeCounts(long total, Map<String, Long> byState) {}

    public record StoreStatus(String backend, boolean ok, long latencyMicros, String detail) {}

    /** {@code GET /healthz}: liveness, open to anyone on either listener, no data. */
    public static void registerHealth(Router r) {
        r.add(HttpMethod.GET, "/healthz", req -> ApiResponse.ok(Map.of("status", "ok")));
    }

    public void register(Router r) {
        r.add(HttpMethod.GET, "/api/v1/status", req -> {
            Status s = status();
            return new ApiResponse(s.store().ok() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, s);
        });
    }

    Status status() {
        Map<String, ServiceStatus> svc = new LinkedHashMap<>();
        for (Service s : services.get()) {
            svc.put(s.name(), new ServiceStatus(s.state().name().toLowerCase(Locale.ROOT), s.metrics()));
        }
        StoreHealth h = store.health();
        Map<String, Long> byState = new LinkedHashMap<>();
        for (NodeState st : NodeState.values()) {
            byState.put(st.wireName(), 0L);
        }
        long total = 0;
        if (h.ok()) {
            for (Map.Entry<NodeState, Long> e : store.nodes().countByState().entrySet()) {
                byState.put(e.getKey().wireName(), e.getValue());
                total += e.getValue();
            }
        }
        // On H2 no list; on PostgreSQL the live peers (an empty list: none), unless the store is down.
        List<Peer> live = h.ok() ? peers.map(Supplier::get).orElse(null) : null;
        return new Status(
                version,
                Duration.between(started, clock.instant()).toSeconds(),
                instance,
                live,
                svc,
                new NodeCounts(total, byState),
                new StoreStatus(h.backend(), h.ok(), h.micros(), h.detail()),
                security());
    }

    private Map<String, Map<String, Object>> security() {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        refusals.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }
}
