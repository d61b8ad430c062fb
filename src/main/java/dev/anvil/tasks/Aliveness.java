package dev.anvil.tasks;

import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeState;
import dev.anvil.lifecycle.Service;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node is alive when it answers ping and a passwordless SSH login as root with the admin key on its
 * admin-network address. Checked periodically for nodes that should be running an installed system (and
 * for any node marked alive, to notice it going away); each result goes to {@code report}.
 */
public final class Aliveness implements Service, io.micrometer.core.instrument.binder.MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(Aliveness.class);
    private static final List<NodeState> CHECKED = List.of(NodeState.INSTALLED, NodeState.READY);

    private final Supplier<Collection<Node>> nodes;
    private final NodeShell shell;
    private final Function<Node, Optional<String>> hostOf;
    private final Duration interval;
    private final BiConsumer<Node, Boolean> report;
    private final AtomicLong checks = new AtomicLong();
    private final java.util.Set<Long> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile State state = State.NEW;
    private ScheduledExecutorService timer;
    private ExecutorService pool;

    public Aliveness(
            Supplier<Collection<Node>> nodes,
            NodeShell shell,
            Function<Node, Optional<String>> hostOf,
            Duration interval,
            BiConsumer<Node, Boolean> report) {
        this.nodes = nodes;
        this.shell = shell;
        this.hostOf = hostOf;
        this.interval = interval;
        this.report = report;
    }

    @Override
    public String name() {
        return "aliveness";
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public synchronized void start() {
        pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "anvil-aliveness");
            t.setDaemon(true);
            return t;
        });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "anvil-aliveness-timer");
            t.setDaemon(true);
            return t;
        });
        if (!interval.isZero()) {
            timer.scheduleWithFixedDelay(this::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
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

    /** {@code anvil_aliveness_checks_total}. */
    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry r) {
        dev.anvil.lifecycle.Meters.count(
                r,
                "anvil.aliveness.checks",
                "aliveness checks (ping and SSH login) of installed and ready nodes",
                checks,
                AtomicLong::get);
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new java.util.LinkedHashMap<>(); // in this order, in every run (Map.of is not)
        m.put("checks", checks.get());
        m.put("intervalSeconds", interval.toSeconds());
        return m;
    }

    /** One pass over the nodes that should answer. */
    public void sweep() {
        try {
            for (Node n : nodes.get()) {
                // A node whose last check has not finished (a dead node takes the full timeouts) is not queued again.
                if ((CHECKED.contains(n.state()) || n.alive()) && inFlight.add(n.id())) {
                    pool.execute(() -> {
                        try {
                            report.accept(n, check(n));
                        } finally {
                            inFlight.remove(n.id());
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            log.warn("aliveness sweep failed: {}", e.toString());
        }
    }

    /** Ping, then an SSH login. */
    public boolean check(Node n) {
        checks.incrementAndGet();
        Optional<String> host = hostOf.apply(n);
        if (host.isEmpty()) {
            return false;
        }
        try {
            if (!InetAddress.getByName(host.get()).isReachable(1000)) {
                return false;
            }
        } catch (java.io.IOException e) {
            log.debug("aliveness: cannot ping {} ({}): {}", n.name(), host.get(), e.toString());
            return false;
        }
        return shell.login(n);
    }
}
