package dev.anvil.tasks;

import dev.anvil.config.LifecycleConfig;
import dev.anvil.core.ConflictException;
import dev.anvil.core.node.Node;
import dev.anvil.core.power.NodePower;
import dev.anvil.core.power.PowerException;
import dev.anvil.core.timeline.Timeline;
import dev.anvil.core.timeline.TimelineEvent.Source;
import dev.anvil.lifecycle.Meters;
import dev.anvil.lifecycle.Service;
import dev.anvil.store.TaskStore;
import dev.anvil.store.TaskStore.Task;
import dev.anvil.store.TaskStore.TaskState;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the durable tasks of the store: at most one per node at a time and at most {@code maxTasks} in all,
 * never on a node that is unavailable (operator flag) or, for SSH tasks, not alive: such tasks wait
 * ("blocked") without losing their place. Each attempt has a timeout; failures retry with doubling
 * backoff until the attempts are used up. After a restart, tasks that were running when the process died
 * are retried (or failed when no attempts are left) — never forgotten — once their cut-off attempt must
 * have ended on the node (one task timeout), so a node never runs two at once. On a store several instances share
 * ({@code shared}), each task runs on the instance that claimed it, and the recovery is that of the instances that
 * are gone ({@link TaskStore#takeOver}): at start this instance's own cut-off tasks, and whenever {@link Cluster}
 * finds a peer silent, that peer's.
 *
 * <p>Size: over 300 lines because the queue's one state machine (enqueue, limits, run, timeout, backoff, recovery)
 * reads best whole.
 */
public final class TaskQueue implements Service, io.micrometer.core.instrument.binder.MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(TaskQueue.class);

    /** Task kinds. */
    public static final String REBOOT = "reboot";

    public static final String SCRIPT = "script";

    /** Through the node's BMC: next boot PXE once, then cycle (on when off). Needs no SSH. */
    public static final String NETBOOT = "netboot";

    /** Through the node's BMC: power off (hard). */
    public static final String POWER_OFF = "power-off";

    /** The longest the scheduler sleeps with nothing due: a wake-up missed for any reason costs at most this. */
    static final Duration IDLE_CHECK = Duration.ofSeconds(5);

    /** On a shared store, how often the scheduler looks for the tasks other instances enqueued. */
    static final Duration SHARED_POLL = Duration.ofMillis(200);

    private static boolean throughBmc(String kind) {
        return NETBOOT.equals(kind) || POWER_OFF.equals(kind);
    }

    private final TaskStore store;
    private final LongFunction<Optional<Node>> nodeById;
    private final NodeShell shell;
    private final LifecycleConfig cfg;
    private final Clock clock;
    private final Consumer<Node> nodeDead;
    private final Set<Long> busyNodes = ConcurrentHashMap.newKeySet();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Object wake = new Object();
    private boolean woken; // guarded by wake: a wake-up since the scheduler last looked at the store
    private volatile boolean blockedWaiting; // a due task waits for its node (unavailable, not alive, key mismatch)
    private volatile boolean scanning; // the scheduler is reading the due tasks
    private final Timeline timeline;
    private final NodePower power;
    private final String instance;
    private final boolean shared;
    private final AtomicLong takenOver = new AtomicLong();
    private volatile State state = State.NEW;
    private ExecutorService workers;
    private Thread scheduler;

    /**
     * {@code nodeDead}: told when a node fails its login before a task (the aliveness flag goes down); {@code
     * timeline}: each step of a node's task (attempt, exit, retry, failure) is reported to its boot timeline;
     * {@code power}: the BMC tasks ({@link #NETBOOT}, {@link #POWER_OFF}) go through it; {@code instance}: this
     * anvild's name in the store, which claims its tasks; {@code shared}: other instances may run on the store.
     */
    public TaskQueue(
            TaskStore store,
            LongFunction<Optional<Node>> nodeById,
            NodeShell shell,
            LifecycleConfig cfg,
            Clock clock,
            Consumer<Node> nodeDead,
            Timeline timeline,
            NodePower power,
            String instance,
            boolean shared) {
        this.instance = instance;
        this.shared = shared;
        this.timeline = timeline;
        this.power = power;
        this.store = store;
        this.nodeById = nodeById;
        this.shell = shell;
        this.cfg = cfg;
        this.clock = clock;
        this.nodeDead = nodeDead;
    }

    @Override
    public String name() {
        return "tasks";
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public synchronized void start() {
        state = State.STARTING;
        // A cut-off attempt may still run on its node until its timeout: that node's tasks wait that long.
        Instant now = clock.instant();
        int recovered = shared
                ? store.takeOver(instance, true, Instant.EPOCH, now, now.plus(cfg.taskTimeout()))
                        .size()
                : store.recover(now, now.plus(cfg.taskTimeout()));
        if (recovered > 0) {
            log.info(
                    "{} task(s) were running when Anvil stopped: retried after {} s (or failed without attempts "
                            + "left)",
                    recovered,
                    cfg.taskTimeout().toSeconds());
        }
        workers = Executors.newFixedThreadPool(cfg.maxTasks(), r -> {
            Thread t = new Thread(r, "anvil-task");
            t.setDaemon(true);
            return t;
        });
        scheduler = new Thread(this::loop, "anvil-task-scheduler");
        scheduler.setDaemon(true);
        state = State.RUNNING;
        scheduler.start();
    }

    @Override
    public synchronized void close() {
        if (state != State.RUNNING) {
            return;
        }
        state = State.STOPPING;
        wakeUp();
        try {
            scheduler.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = State.STOPPED;
    }

    /** Queues a task on the node; it runs as soon as the limits and the node allow. */
    public Task enqueue(Node node, String kind, String args, Duration delay) {
        Instant now = clock.instant();
        Task t = store.enqueue(node.id(), kind, args, cfg.taskAttempts(), now.plus(delay), now);
        wakeUp();
        return t;
    }

    /** Reboots the node through SSH, scheduled on the node a few seconds ahead so the session ends cleanly. */
    public Task reboot(Node node) {
        return enqueue(node, REBOOT, "", Duration.ZERO);
    }

    /**
     * Restarts the node into its next boot answer: through its BMC when it has one ({@link #NETBOOT}: works on a
     * machine that is off or hung), else the SSH reboot.
     */
    public Task restart(Node node) {
        return enqueue(node, power.hasBmc(node) ? NETBOOT : REBOOT, "", Duration.ZERO);
    }

    /** Powers the node off through its BMC; a node without one is a {@link ConflictException} (field {@code bmc}). */
    public Task powerOff(Node node) {
        if (!power.hasBmc(node)) {
            throw new ConflictException(
                    "bmc", "node " + node.name() + " has no BMC to power it off: set one with PUT .../bmc");
        }
        return enqueue(node, POWER_OFF, "", Duration.ZERO);
    }

    /**
     * Takes over the node tasks of the instances whose last heartbeat is before {@code staleBefore} (called by
     * {@link Cluster}): each is retried (after one task timeout, as after a restart) or failed without attempts
     * left.
     */
    public void takeOverSilentPeers(Instant staleBefore) {
        Instant now = clock.instant();
        List<Task> taken = store.takeOver(instance, false, staleBefore, now, now.plus(cfg.taskTimeout()));
        for (Task t : taken) {
            takenOver.incrementAndGet();
            log.warn(
                    "task {} ({} on node {}) was running on instance {}, silent since before {}: taken over "
                            + "(retried after {} s, or failed without attempts left)",
                    t.id(),
                    t.kind(),
                    t.nodeId(),
                    t.instance().orElse("?"),
                    staleBefore,
                    cfg.taskTimeout().toSeconds());
            timeline.forNode(
                    t.nodeId(),
                    Source.TASK,
                    t.kind().toLowerCase(java.util.Locale.ROOT) + " task " + t.id(),
                    "taken over by instance " + instance + " from silent instance "
                            + t.instance().orElse("?"));
        }
        if (!taken.isEmpty()) {
            wakeUp();
        }
    }

    /** This anvild's instance name, which its claims record. */
    public String instance() {
        return instance;
    }

    public void wakeUp() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    /**
     * Told of every committed node change: when a due task waits for its node (unavailable, not alive, a host
     * key mismatch), the scheduler looks again at once, as the change may be the one it waits for; otherwise
     * nothing.
     */
    public void nodeChanged() {
        // scanning first: once a scan has ended, what it found blocked is in blockedWaiting already; a scan that
        // starts later reads the node as changed (the directory hears of the change before this queue)
        if (scanning || blockedWaiting) {
            wakeUp();
        }
    }

    /** The most tasks that ever ran at once (for tests and the status endpoint). */
    public int peakRunning() {
        return peak.get();
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("running", running.get());
        m.put("peakRunning", peak.get());
        m.put("done", done.get());
        m.put("failed", failed.get());
        if (shared) {
            m.put("takenOver", takenOver.get());
        }
        try {
            store.countByState()
                    .forEach((k, v) -> m.put(
                            "stored" + k.name().charAt(0)
                                    + k.name().substring(1).toLowerCase(java.util.Locale.ROOT),
                            v));
        } catch (RuntimeException storeDown) {
            m.put("stored", "unavailable");
        }
        return m;
    }

    /**
     * {@code anvil_tasks_running} (workers busy now), {@code anvil_tasks_finished_total{result}} (node tasks since
     * start) and {@code anvil_tasks{state}}: the stored tasks (node tasks and OS imports) by state, read from the
     * store at most once a second however many gauges ask.
     */
    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry r) {
        Meters.gauge(r, "anvil.tasks.running", "node tasks running now", running, AtomicInteger::get);
        String finished = "node tasks finished since start, by result (failed: out of attempts, or not retryable)";
        Meters.count(r, "anvil.tasks.finished", finished, done, AtomicLong::get, "result", "done");
        Meters.count(r, "anvil.tasks.finished", finished, failed, AtomicLong::get, "result", "failed");
        String stored = "tasks in the store by state (queued: the queue's depth); NaN when the store is down";
        for (TaskState s : TaskState.values()) {
            Meters.gauge(
                    r,
                    "anvil.tasks",
                    stored,
                    this,
                    q -> q.stored(s),
                    "state",
                    s.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private long storedAt;
    private Map<TaskState, Long> storedCounts = Map.of();

    private synchronized double stored(TaskState s) {
        long now = System.nanoTime();
        if (storedAt == 0 || now - storedAt > 1_000_000_000L) {
            try {
                storedCounts = store.countByState();
            } catch (RuntimeException storeDown) {
                return Double.NaN;
            }
            storedAt = now;
        }
        return storedCounts.getOrDefault(s, 0L);
    }

    /** Why a queued task waits, or empty when it may run. */
    public Optional<String> blockedBy(Task t) {
        return nodeById.apply(t.nodeId()).flatMap(n -> blocked(n, t.kind()));
    }

    /** Why a task of {@code kind} cannot run on {@code n} now: a BMC task needs only an available node. */
    private static Optional<String> blocked(Node n, String kind) {
        if (!n.available()) {
            return Optional.of("node is not available");
        }
        if (throughBmc(kind)) {
            return Optional.empty();
        }
        if (n.hostKeyMismatch().isPresent()) {
            return Optional.of("host key mismatch: " + n.hostKeyMismatch().get().describe());
        }
        if (!n.alive()) {
            return Optional.of("node is not alive");
        }
        return Optional.empty();
    }

    /**
     * The scheduler: looks at the store, then sleeps until the next queued task is due, a wake-up ({@link #enqueue},
     * a finished task, {@link #nodeChanged}) or {@link #IDLE_CHECK}, whichever comes first. An idle queue costs one
     * query per {@link #IDLE_CHECK}, not a poll of the store several times a second. On a shared store it looks every
     * {@link #SHARED_POLL} as well: other instances enqueue without waking this one.
     */
    private void loop() {
        while (state == State.RUNNING) {
            synchronized (wake) {
                woken = false;
            }
            long sleep;
            try {
                schedule();
                sleep = sleepMillis(store.nextDue(clock.instant()));
            } catch (RuntimeException e) {
                log.warn("task scheduling failed: {}", e.toString());
                sleep = SHARED_POLL.toMillis();
            }
            synchronized (wake) {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sleep);
                long left = sleep;
                while (!woken && state == State.RUNNING && left > 0) {
                    try {
                        wake.wait(left);
                    } catch (InterruptedException e) {
                        return;
                    }
                    left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
                }
            }
        }
    }

    /** How long to sleep when the next queued task on a node is due at {@code next} (none: empty). */
    long sleepMillis(Optional<Instant> next) {
        long cap = (shared ? SHARED_POLL : IDLE_CHECK).toMillis();
        if (next.isEmpty()) {
            return cap;
        }
        long until = Duration.between(clock.instant(), next.get()).toMillis() + 1;
        return Math.max(1, Math.min(cap, until));
    }

    private void schedule() {
        scanning = true;
        blockedWaiting = false;
        try {
            // Page through every due task: blocked ones (dead or unavailable nodes) never hide runnable ones.
            long after = 0;
            while (running.get() < cfg.maxTasks()) {
                List<Task> due = store.due(clock.instant(), after, 256);
                if (due.isEmpty()) {
                    return;
                }
                for (Task t : due) {
                    after = t.id();
                    if (running.get() >= cfg.maxTasks()) {
                        return;
                    }
                    start(t);
                }
            }
        } finally {
            scanning = false;
        }
    }

    private void start(Task t) {
        if (busyNodes.contains(t.nodeId())) {
            return;
        }
        Optional<Node> node = nodeById.apply(t.nodeId());
        if (node.flatMap(n -> blocked(n, t.kind())).isPresent()) {
            blockedWaiting = true;
            return;
        }
        if (!busyNodes.add(t.nodeId())) {
            return;
        }
        if (!store.claim(t.id(), instance, clock.instant())) {
            busyNodes.remove(t.nodeId());
            return;
        }
        int now = running.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        // What the claim wrote: running, one more attempt (no need to read it back).
        Task claimed = new Task(
                t.id(),
                t.nodeId(),
                t.kind(),
                t.args(),
                TaskState.RUNNING,
                t.attempts() + 1,
                t.maxAttempts(),
                t.notBefore(),
                t.createdAt(),
                Optional.of(clock.instant()),
                t.finishedAt(),
                t.log(),
                t.error(),
                t.progress(),
                Optional.of(instance));
        workers.execute(() -> {
            try {
                run(claimed, node);
            } finally {
                running.decrementAndGet();
                busyNodes.remove(t.nodeId());
                wakeUp();
            }
        });
    }

    private void run(Task t, Optional<Node> node) {
        StringBuilder out = new StringBuilder(t.log());
        // On a shared store the log names the instance each attempt ran on.
        step(
                t,
                out,
                "attempt " + t.attempts() + " of " + t.maxAttempts() + (shared ? " on instance " + instance : "") + ": "
                        + t.kind());
        if (node.isEmpty()) {
            store.finish(
                    t.id(),
                    instance,
                    TaskState.FAILED,
                    out.toString(),
                    Optional.of("the node was deleted"),
                    clock.instant());
            failed.incrementAndGet();
            return;
        }
        Node n = node.get();
        if (throughBmc(t.kind())) {
            runOnBmc(t, n, out);
            return;
        }
        try {
            NodeShell.Result r = switch (t.kind()) {
                case REBOOT ->
                    shell.run(
                            n,
                            "sh -c 'if command -v systemd-run >/dev/null 2>&1; then systemd-run --quiet "
                                    + "--on-active=" + cfg.rebootDelay().toSeconds()
                                    + " /bin/systemctl reboot; else nohup sh -c \"sleep "
                                    + cfg.rebootDelay().toSeconds() + "; reboot\" >/dev/null 2>&1 & fi'",
                            Optional.empty(),
                            cfg.taskTimeout());
                case SCRIPT -> shell.run(n, "sh -s", Optional.of(t.args()), cfg.taskTimeout());
                default -> throw new IOException("unknown task kind " + t.kind());
            };
            if (!r.output().isEmpty()) {
                out.append(r.output());
                if (!r.output().endsWith("\n")) {
                    out.append('\n');
                }
            }
            step(t, out, "exit " + r.exitCode());
            if (r.exitCode() == 0) {
                store.finish(t.id(), instance, TaskState.DONE, out.toString(), Optional.empty(), clock.instant());
                done.incrementAndGet();
            } else {
                retryOrFail(t, out, "exit status " + r.exitCode());
            }
        } catch (NodeShell.HostKeyMismatchException e) {
            // Not the node it should be (or not any more): nothing was sent, and retrying does not make it trusted.
            step(t, out, "failed: " + e.getMessage());
            store.finish(
                    t.id(), instance, TaskState.FAILED, out.toString(), Optional.of(e.getMessage()), clock.instant());
            failed.incrementAndGet();
        } catch (IOException e) {
            step(t, out, "error: " + e.getMessage());
            if (!shell.login(n)) {
                // The node went away: the task waits for it (blocked) and the attempt does not count.
                step(t, out, "the node does not answer: the task waits until it is alive again");
                store.release(t.id(), instance, out.toString());
                nodeDead.accept(n);
                return;
            }
            retryOrFail(t, out, e.getMessage());
        } catch (RuntimeException e) {
            log.error("task {} on {} failed", t.id(), n.name(), e);
            retryOrFail(t, out, e.toString());
        }
    }

    /**
     * A BMC task: a refused login or an operation the BMC does not do fails at once (retrying changes nothing);
     * an unreachable, hung or busy BMC is retried with the backoff. Either way only this node's task waits.
     */
    private void runOnBmc(Task t, Node n, StringBuilder out) {
        try {
            String what = NETBOOT.equals(t.kind()) ? power.netboot(n) : power.powerOff(n);
            step(t, out, what);
            store.finish(t.id(), instance, TaskState.DONE, out.toString(), Optional.empty(), clock.instant());
            done.incrementAndGet();
        } catch (PowerException e) {
            String error = "BMC " + e.kind().wireName() + ": " + e.getMessage();
            if (e.kind() == PowerException.Kind.AUTH_FAILED || e.kind() == PowerException.Kind.UNSUPPORTED) {
                step(t, out, "failed: " + error);
                store.finish(t.id(), instance, TaskState.FAILED, out.toString(), Optional.of(error), clock.instant());
                failed.incrementAndGet();
            } else {
                retryOrFail(t, out, error);
            }
        } catch (dev.anvil.core.NotFoundException e) {
            step(t, out, "failed: " + e.getMessage());
            store.finish(
                    t.id(), instance, TaskState.FAILED, out.toString(), Optional.of(e.getMessage()), clock.instant());
            failed.incrementAndGet();
        }
    }

    private void retryOrFail(Task t, StringBuilder out, String error) {
        if (t.attempts() >= t.maxAttempts()) {
            step(t, out, "failed: " + error);
            store.finish(t.id(), instance, TaskState.FAILED, out.toString(), Optional.of(error), clock.instant());
            failed.incrementAndGet();
            return;
        }
        Duration backoff = cfg.retryBackoff().multipliedBy(1L << Math.min(20, t.attempts() - 1));
        step(t, out, "retry in " + backoff.toSeconds() + " s: " + error);
        store.retry(t.id(), instance, clock.instant().plus(backoff), out.toString(), error);
    }

    /** A line of the task's log, and an event of its node's boot timeline. */
    private void step(Task t, StringBuilder out, String text) {
        line(out, text);
        timeline.forNode(
                t.nodeId(), Source.TASK, t.kind().toLowerCase(java.util.Locale.ROOT) + " task " + t.id(), text);
    }

    private void line(StringBuilder out, String text) {
        out.append(clock.instant()).append(' ').append(text).append('\n');
    }
}
