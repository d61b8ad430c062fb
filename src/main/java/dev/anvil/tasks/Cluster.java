package dev.anvil.tasks;

import dev.anvil.config.StoreConfig;
import dev.anvil.lifecycle.Service;
import dev.anvil.store.InstanceStore;
import dev.anvil.store.InstanceStore.Instance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This anvild among the instances that share one store (doc/scale-out.md): it registers itself at start, writes
 * its heartbeat every {@code heartbeat}, and after each heartbeat that was written has its task queue take over
 * the node tasks of the instances whose heartbeat is older than {@code takeover}. It takes over only once its
 * own heartbeats have gone through for a whole {@code takeover} without a miss: after the store was unreachable
 * every instance's heartbeat looks old, and each must have had the time to write a new one before a peer counts
 * it as gone. A clean stop removes its row, so that peers take over at once what it left running.
 */
public final class Cluster implements Service {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    static final String ID_FILE = "instance";

    private final InstanceStore store;
    private final String self;
    private final Duration heartbeat;
    private final Duration takeover;
    private final Clock clock;
    private final Consumer<Instant> takeOver;
    private final AtomicLong beats = new AtomicLong();
    private final AtomicLong missed = new AtomicLong();
    private volatile State state = State.NEW;
    private volatile Instant healthySince;
    /** When this instance's heartbeat (or registration) last went through; null before the start. */
    private volatile Instant lastBeat;

    private ScheduledExecutorService timer;

    /** {@code takeOver}: called with the heartbeat time before which an instance counts as gone. */
    public Cluster(
            InstanceStore store,
            String self,
            Duration heartbeat,
            Duration takeover,
            Clock clock,
            Consumer<Instant> takeOver) {
        this.store = store;
        this.self = self;
        this.heartbeat = heartbeat;
        this.takeover = takeover;
        this.clock = clock;
        this.takeOver = takeOver;
    }

    /**
     * This anvild's instance name: {@code configured} when given, else the one kept in {@code <stateDir>/instance},
     * made on the first start from the host name and six random hex digits (so two instances on one host differ).
     */
    public static String instanceId(Optional<String> configured, Path stateDir, RandomGenerator random) {
        if (configured.isPresent()) {
            return configured.get();
        }
        Path f = stateDir.resolve(ID_FILE);
        try {
            if (Files.exists(f)) {
                String id = Files.readString(f).trim();
                if (!StoreConfig.INSTANCE_NAME.matcher(id).matches()) {
                    throw new IllegalStateException(f + " does not hold an instance name (\"" + id + "\": letters, "
                            + "digits, '.', '-', '_', at most 64): fix it, or set store.instance");
                }
                return id;
            }
            String host = hostName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
            if (host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0))) {
                host = "anvild";
            }
            host = host.length() > 50 ? host.substring(0, 50) : host;
            String id = host + "-" + String.format("%06x", random.nextInt(1 << 24));
            Files.createDirectories(stateDir);
            Path tmp = stateDir.resolve(ID_FILE + ".tmp");
            Files.writeString(tmp, id + "\n");
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + f, e);
        }
    }

    private static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (IOException | RuntimeException e) {
            return "anvild";
        }
    }

    public String instance() {
        return self;
    }

    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public synchronized void start() {
        state = State.STARTING;
        Instant now = clock.instant();
        Optional<Instance> before = store.register(self, now);
        before.filter(b -> b.heartbeatAt().isAfter(now.minus(takeover)))
                .ifPresent(b -> log.warn(
                        "instance {} had a heartbeat {} s ago: if it was not this anvild (killed and started again), "
                                + "another anvild runs with the same store.instance; give each its own",
                        self,
                        Duration.between(b.heartbeatAt(), now).toSeconds()));
        healthySince = now;
        lastBeat = now;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "anvil-heartbeat");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::beat, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        state = State.RUNNING;
        log.info(
                "instance {}: heartbeat every {} s; peers silent for {} s are taken over",
                self,
                heartbeat.toSeconds(),
                takeover.toSeconds());
    }

    /** One heartbeat, then the takeover when due (package-private for the tests). */
    void beat() {
        Instant now = clock.instant();
        try {
            store.beat(self, now);
            lastBeat = now;
            beats.incrementAndGet();
        } catch (RuntimeException e) {
            missed.incrementAndGet();
            healthySince = null;
            log.warn("instance {}: heartbeat not written: {}", self, e.toString());
            return;
        }
        if (healthySince == null) {
            healthySince = now;
        }
        if (Duration.between(healthySince, now).compareTo(takeover) < 0) {
            return;
        }
        try {
            takeOver.accept(now.minus(takeover));
        } catch (RuntimeException e) {
            log.warn("instance {}: taking over the tasks of silent peers failed: {}", self, e.toString());
        }
    }

    /**
     * Whether this instance's last heartbeat is younger than half the takeover timeout: until then no peer can take
     * what it holds (its DHCP pool addresses) for at least that long.
     */
    public boolean live() {
        Instant b = lastBeat;
        return state == State.RUNNING
                && b != null
                && Duration.between(b, clock.instant()).compareTo(takeover.dividedBy(2)) < 0;
    }

    /**
     * When this instance may take over what silent peers held: the instant before which a peer's last heartbeat
     * makes it gone; empty until this instance's own heartbeats have gone through for a whole takeover timeout.
     */
    public Optional<Instant> takeoverCutoff() {
        Instant since = healthySince;
        Instant now = clock.instant();
        if (state != State.RUNNING
                || since == null
                || Duration.between(since, now).compareTo(takeover) < 0) {
            return Optional.empty();
        }
        return Optional.of(now.minus(takeover));
    }

    /** The other instances whose heartbeat is younger than the takeover timeout, by id. */
    public List<Instance> peers() {
        Instant live = clock.instant().minus(takeover);
        return store.list().stream()
                .filter(i -> !i.id().equals(self) && !i.heartbeatAt().isBefore(live))
                .toList();
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", self);
        m.put("heartbeats", beats.get());
        m.put("missed", missed.get());
        return m;
    }

    @Override
    public synchronized void close() {
        if (state != State.RUNNING) {
            return;
        }
        state = State.STOPPING;
        timer.shutdown(); // never interrupts a heartbeat being written
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            store.remove(self);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("instance {}: could not remove its heartbeat row: {}", self, e.toString());
        }
        state = State.STOPPED;
    }
}
