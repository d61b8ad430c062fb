package dev.anvil.metrics;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Range;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.node.NodeState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the operator watches the cluster by, computed once per scrape from memory (no store query): nodes by state
 * and, per state, how long its longest-waiting node has been in it (for "stuck in installing"); per network, the
 * DHCP leases in force by state, the pool's size and how much of it is spoken for (for "pool nearly exhausted").
 *
 * <p>When a node entered its state is known from the node events seen since start; for a node that has not changed
 * state since, its last update ({@code updatedAt}) stands in: never earlier than the real entry, so the age shown is
 * at most the true one and an alert on it never fires early. The map holds one entry per node (deleted nodes leave).
 */
public final class InventoryMeters implements MeterBinder, Metrics.Refreshing, Consumer<NodeEvent> {
    private final NodeDirectory directory;
    private final NetworkCatalog networks;
    private final Supplier<List<Lease>> leases;
    private final Clock clock;
    private final Map<Long, Instant> stateSince = new ConcurrentHashMap<>();

    private volatile Map<NodeState, long[]> byState = empty();
    private MultiGauge leaseGauge;
    private MultiGauge poolSize;
    private MultiGauge poolUsed;

    /** {@code leases}: the DHCP server's leases now (empty without DHCP). */
    public InventoryMeters(
            NodeDirectory directory, NetworkCatalog networks, Supplier<List<Lease>> leases, Clock clock) {
        this.directory = directory;
        this.networks = networks;
        this.leases = leases;
        this.clock = clock;
    }

    /** A node event: a new state (or a new node) starts its clock; a deleted node leaves. */
    @Override
    public void accept(NodeEvent e) {
        if (e.after().isEmpty()) {
            stateSince.remove(e.node().id());
        } else if (e.before().isEmpty()
                || e.before().get().state() != e.after().get().state()) {
            stateSince.put(e.node().id(), clock.instant());
        }
    }

    @Override
    public void bindTo(MeterRegistry r) {
        for (NodeState s : NodeState.values()) {
            Gauge.builder("anvil.nodes", this, m -> m.byState.get(s)[0])
                    .description("nodes by state")
                    .tag("state", s.wireName())
                    .register(r);
            Gauge.builder("anvil.node.state.oldest", this, m -> m.byState.get(s)[1])
                    .description("how long the node longest in this state has been in it (0: no node in it)")
                    .baseUnit("seconds")
                    .tag("state", s.wireName())
                    .register(r);
        }
        leaseGauge = MultiGauge.builder("anvil.dhcp.leases")
                .description("DHCP leases in force now (unexpired), by network and state (offered, active, declined)")
                .register(r);
        poolSize = MultiGauge.builder("anvil.dhcp.pool.size")
                .description("addresses in the network's DHCP pool (networks with a pool)")
                .register(r);
        poolUsed = MultiGauge.builder("anvil.dhcp.pool.used")
                .description("pool addresses spoken for now: offered, leased or quarantined (declined)")
                .register(r);
    }

    @Override
    public void refresh() {
        Instant now = clock.instant();
        if (directory.isLoaded()) {
            Map<NodeState, long[]> counts = empty();
            for (Node n : directory.all()) {
                long[] c = counts.get(n.state());
                c[0]++;
                Instant since = stateSince.getOrDefault(n.id(), n.updatedAt());
                c[1] = Math.max(c[1], Math.max(0, Duration.between(since, now).toSeconds()));
            }
            byState = counts;
        }
        List<Network> nets = networks.all();
        Map<String, Map<Lease.State, Integer>> held = new HashMap<>();
        Map<String, Integer> inPool = new HashMap<>();
        Map<String, Network> byName = new HashMap<>();
        nets.forEach(n -> byName.put(n.name(), n));
        for (Lease l : leases.get()) {
            if (!l.holds(now)) {
                continue;
            }
            held.computeIfAbsent(l.network(), k -> new EnumMap<>(Lease.State.class))
                    .merge(l.state(), 1, Integer::sum);
            Network n = byName.get(l.network());
            if (n != null && n.dhcpPool().map(p -> p.contains(l.ip())).orElse(false)) {
                inPool.merge(l.network(), 1, Integer::sum);
            }
        }
        List<MultiGauge.Row<?>> leaseRows = new ArrayList<>();
        List<MultiGauge.Row<?>> sizeRows = new ArrayList<>();
        List<MultiGauge.Row<?>> usedRows = new ArrayList<>();
        for (Network n : nets) {
            Map<Lease.State, Integer> h = held.getOrDefault(n.name(), Map.of());
            for (Lease.State s : List.of(Lease.State.OFFERED, Lease.State.ACTIVE, Lease.State.DECLINED)) {
                leaseRows.add(MultiGauge.Row.of(
                        Tags.of("network", n.name(), "state", s.name().toLowerCase(Locale.ROOT)),
                        h.getOrDefault(s, 0)));
            }
            if (n.dhcpPool().isPresent()) {
                Ipv4Range p = n.dhcpPool().get();
                sizeRows.add(MultiGauge.Row.of(Tags.of("network", n.name()), p.size()));
                usedRows.add(MultiGauge.Row.of(Tags.of("network", n.name()), inPool.getOrDefault(n.name(), 0)));
            }
        }
        leaseGauge.register(leaseRows, true);
        poolSize.register(sizeRows, true);
        poolUsed.register(usedRows, true);
    }

    private static Map<NodeState, long[]> empty() {
        Map<NodeState, long[]> m = new EnumMap<>(NodeState.class);
        for (NodeState s : NodeState.values()) {
            m.put(s, new long[2]);
        }
        return m;
    }

    @Override
    public String toString() {
        return "inventory meters";
    }
}
