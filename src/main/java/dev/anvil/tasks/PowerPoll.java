package dev.anvil.tasks;

import dev.anvil.config.PowerConfig;
import dev.anvil.core.node.Node;
import dev.anvil.core.power.NodePower;
import dev.anvil.core.power.PowerReading;
import dev.anvil.lifecycle.Meters;
import dev.anvil.lifecycle.Service;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every node's BMC its power state every {@code pollInterval}, at most {@code pollConcurrency} BMCs at once
 * (doc/power.md#power-state). What each answered (or why it did not: {@code unreachable}, {@code auth-failed}, ...)
 * is recorded on the node by {@link NodePower#poll} (its JSON and, on a change, its timeline). A BMC still being
 * asked from the previous round is not asked again, so a hung BMC takes one thread, never the round.
 */
public final class PowerPoll implements Service, io.micrometer.core.instrument.binder.MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(PowerPoll.class);
    /** The label values of {@code anvil_power_nodes}. */
    private static final String[] STATES = {"on", "off", "error"};

    private final Supplier<Collection<Node>> nodes;
    private final NodePower power;
    private final PowerConfig cfg;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong rounds = new AtomicLong();
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    /** Each polled node's last answer: {@code on}, {@code off} or {@code error}. */
    private final Map<Long, String> last = new ConcurrentHashMap<>();

    private volatile State state = State.NEW;
    private ScheduledExecutorService timer;
    private ExecutorService pool;

    public PowerPoll(Supplier<Collection<Node>> nodes, NodePower power, PowerConfig cfg) {
        this.nodes = nodes;
        this.power = power;
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "power";
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public synchronized void start() {
        pool = Executors.newFixedThreadPool(cfg.pollConcurrency(), r -> {
            Thread t = new Thread(r, "anvil-power-poll");
            t.setDaemon(true);
            return t;
        });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "anvil-power-poll-timer");
            t.setDaemon(true);
            return t;
        });
        if (!cfg.pollInterval().isZero()) {
            // the first round soon after the start: a restart forgets the readings
            timer.scheduleWithFixedDelay(this::sweep, 1000, cfg.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
        state = State.RUNNING;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            pool.shutdownNow();
        }
        state = State.STOPPED;
    }

    /** One round over the nodes with a BMC. */
    public void sweep() {
        try {
            rounds.incrementAndGet();
            Set<Long> seen = new java.util.HashSet<>();
            for (Node n : nodes.get()) {
                if (!power.hasBmc(n)) {
                    continue;
                }
                seen.add(n.id());
                if (inFlight.add(n.id())) {
                    pool.execute(() -> {
                        try {
                            poll(n);
                        } finally {
                            inFlight.remove(n.id());
                        }
                    });
                }
            }
            last.keySet().retainAll(seen);
        } catch (RuntimeException e) {
            log.warn("power poll round failed: {}", e.toString());
        }
    }

    private void poll(Node n) {
        try {
            PowerReading r = power.poll(n);
            if (r.error().isPresent()) {
                errors.incrementAndGet();
                last.put(n.id(), "error");
            } else {
                ok.incrementAndGet();
                last.put(n.id(), r.summary());
            }
        } catch (RuntimeException e) {
            // the BMC was removed or the node deleted under the round
            log.debug("power poll of {}: {}", n.name(), e.toString());
        }
    }

    /**
     * {@code anvil_power_polls_total{result}} (BMC status calls of the poll, {@code ok} or {@code error}) and {@code
     * anvil_power_nodes{state}}: nodes with a BMC by their last polled answer ({@code on}, {@code off}, {@code
     * error}).
     */
    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry r) {
        String polls = "power-state polls of the nodes' BMCs, by result (error: unreachable, auth-failed, ...)";
        Meters.count(r, "anvil.power.polls", polls, ok, AtomicLong::get, "result", "ok");
        Meters.count(r, "anvil.power.polls", polls, errors, AtomicLong::get, "result", "error");
        for (String s : STATES) {
            Meters.gauge(
                    r,
                    "anvil.power.nodes",
                    "nodes with a BMC by their last polled power state (error: the BMC did not answer)",
                    last,
                    m -> m.values().stream().filter(s::equals).count(),
                    "state",
                    s);
        }
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("intervalSeconds", cfg.pollInterval().toSeconds());
        m.put("concurrency", cfg.pollConcurrency());
        m.put("rounds", rounds.get());
        m.put("ok", ok.get());
        m.put("errors", errors.get());
        for (String s : STATES) {
            m.put("nodes." + s, last.values().stream().filter(s::equals).count());
        }
        return m;
    }
}
