package dev.anvil.tasks;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.NotFoundException;
import dev.anvil.lifecycle.Meters;
import dev.anvil.lifecycle.Service;
import dev.anvil.os.OsTrees;
import dev.anvil.store.TaskStore;
import dev.anvil.store.TaskStore.Task;
import dev.anvil.store.TaskStore.TaskState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OS imports as durable tasks on the admin node (kind {@value #KIND}, no node): {@link #submit} checks what
 * it can at once, stores the task queued and returns it; the import runs on one of {@code maxImports}
 * threads of its own, never on a request thread. At most one import per OS is queued or running (a second is
 * a conflict); beyond {@code maxImports} running, imports wait in the queue, which the one-per-OS rule bounds
 * by the number of installable OSes. While it runs the task shows the files and bytes in place so far.
 * A restart fails every import of this instance it finds queued or running ("interrupted by a restart"), kills a
 * tool the dead daemon left working and removes the import's scratch directory. An import belongs to the instance
 * it was submitted to (its trees are on that instance's disk): on a store several instances share, a peer's
 * imports are neither run nor failed here.
 */
public final class ImportQueue implements Service, io.micrometer.core.instrument.binder.MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(ImportQueue.class);
    /** The task kind. */
    public static final String KIND = "import";

    static final String INTERRUPTED = "interrupted by a restart";

    /** What an import task imports, as its {@code args} hold it. */
    public record Request(String os, Path source) {
        String args() {
            return "os: " + os + "\nsource: " + source;
        }

        /** The request an import task's {@code args} describe; empty for anything else. */
        public static Optional<Request> of(Task t) {
            if (!KIND.equals(t.kind())
                    || !t.args().startsWith("os: ")
                    || t.args().indexOf("\nsource: ") < 0) {
                return Optional.empty();
            }
            int nl = t.args().indexOf("\nsource: ");
            return Optional.of(
                    new Request(t.args().substring(4, nl), Path.of(t.args().substring(nl + 9))));
        }
    }

    private final OsTrees trees;
    private final TaskStore store;
    private final int maxImports;
    private final Clock clock;
    private final String instance;
    /** OS → the id of its import task, queued or running. */
    private final Map<String, Long> active = new ConcurrentHashMap<>();

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile State state = State.NEW;
    private ThreadPoolExecutor pool;

    /** {@code instance}: this anvild's name in the store, whose imports these are. */
    public ImportQueue(OsTrees trees, TaskStore store, int maxImports, Clock clock, String instance) {
        if (maxImports < 1) {
            throw new IllegalArgumentException("maxImports must be at least 1: " + maxImports);
        }
        this.trees = trees;
        this.store = store;
        this.maxImports = maxImports;
        this.clock = clock;
        this.instance = instance;
    }

    public OsTrees trees() {
        return trees;
    }

    @Override
    public String name() {
        return "imports";
    }

    @Override
    public State state() {
        return state;
    }

    /**
     * Fails the imports a previous run left queued or running, then accepts new ones. What those left on disk
     * (a tool still running, the scratch directory) is cleaned up on the import threads, ahead of new imports.
     */
    @Override
    public synchronized void start() {
        state = State.STARTING;
        List<Task> cut = store.abandon(KIND, instance, INTERRUPTED, clock.instant());
        pool = new ThreadPoolExecutor(
                maxImports, maxImports, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "anvil-import");
                    t.setDaemon(true);
                    return t;
                });
        for (Task t : cut) {
            Optional<Request> req = Request.of(t);
            log.warn(
                    "import task {} ({}) was {} when anvild stopped: failed, {}",
                    t.id(),
                    req.map(Request::os).orElse("?"),
                    t.state().name().toLowerCase(java.util.Locale.ROOT),
                    INTERRUPTED);
            req.ifPresent(r -> pool.execute(() -> trees.discard(r.os(), tag(t.id()))));
        }
        state = State.RUNNING;
    }

    /**
     * Queues an import of {@code source} as the tree of {@code os} and returns its task (queued). Refuses at
     * once what {@link OsTrees#check} refuses (unknown OS, missing source, a directory without the kernel),
     * and an OS that already has an import queued or running (a conflict).
     */
    public Task submit(String os, Path source) {
        Path src = trees.check(os, source);
        synchronized (this) {
            if (state != State.RUNNING) {
                throw new IllegalStateException(
                        "the import service is " + state.name().toLowerCase(java.util.Locale.ROOT));
            }
            Long other = active.get(os);
            if (other != null) {
                throw new ConflictException(
                        "os", "an import of " + os + " is already queued or running (task " + other + ")");
            }
            Instant now = clock.instant();
            Task t = store.enqueueOwn(instance, KIND, new Request(os, src).args(), now);
            active.put(os, t.id());
            pool.execute(() -> run(t, os, src));
            return t;
        }
    }

    /** Why a queued import waits: every import thread is busy. Empty for anything else. */
    public Optional<String> blockedBy(Task t) {
        if (!KIND.equals(t.kind()) || t.state() != TaskState.QUEUED || !active.containsValue(t.id())) {
            return Optional.empty();
        }
        return Optional.of("waiting for an import slot (" + running.get() + " of " + maxImports + " running)");
    }

    /** The imports running now. */
    public int running() {
        return running.get();
    }

    /** {@code anvil_os_imports_running} and {@code anvil_os_imports_finished_total{result}}. */
    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry r) {
        Meters.gauge(r, "anvil.os.imports.running", "OS imports running now", running, AtomicInteger::get);
        String finished = "OS imports finished since start, by result";
        Meters.count(r, "anvil.os.imports.finished", finished, done, AtomicLong::get, "result", "done");
        Meters.count(r, "anvil.os.imports.finished", finished, failed, AtomicLong::get, "result", "failed");
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        int now = running.get();
        m.put("running", now);
        m.put("queued", Math.max(0, active.size() - now));
        m.put("maxImports", maxImports);
        m.put("done", done.get());
        m.put("failed", failed.get());
        m.put("timedOut", trees.timedOut());
        return m;
    }

    /**
     * Kills running imports' tools (their tasks fail: "anvild is stopping") and leaves queued ones queued (failed
     * at the next start). Never interrupts an import thread: one interrupted in a store write would close H2.
     */
    @Override
    public synchronized void close() {
        if (state != State.RUNNING) {
            return;
        }
        state = State.STOPPING;
        trees.stop();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(8, TimeUnit.SECONDS)) {
                log.warn("imports still running 8 s after they were told to stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = State.STOPPED;
    }

    static String tag(long taskId) {
        return "task-" + taskId;
    }

    private void run(Task t, String os, Path src) {
        // Counted from before the claim: whoever sees the task running in the store sees it counted (the pool has
        // maxImports threads, so the count never passes it).
        running.incrementAndGet();
        try {
            if (state != State.RUNNING || !store.claim(t.id(), instance, clock.instant())) {
                return;
            }
            execute(t, os, src);
        } catch (RuntimeException e) {
            log.error("import task {} of {}: the store failed", t.id(), os, e);
        } finally {
            running.decrementAndGet();
            active.remove(os, t.id());
        }
    }

    private void execute(Task t, String os, Path src) {
        StringBuilder out = new StringBuilder();
        line(out, "import of " + os + " from " + src);
        long t0 = System.nanoTime();
        String error;
        try {
            OsTrees.Imported i = trees.importTree(
                    os,
                    src,
                    tag(t.id()),
                    (files, bytes) -> store.progress(t.id(), instance, new TaskStore.Progress(files, bytes)));
            line(
                    out,
                    String.format(
                            "imported %d files, %d bytes into %s with %s in %.1f s",
                            i.files(), i.bytes(), i.tree(), i.tool(), (System.nanoTime() - t0) / 1e9));
            // Counted before the task shows DONE, so whoever sees it finished also sees it counted.
            done.incrementAndGet();
            store.finish(t.id(), instance, TaskState.DONE, out.toString(), Optional.empty(), clock.instant());
            log.info("import task {}: {}", t.id(), out.toString().strip().replace('\n', ' '));
            return;
        } catch (InvalidInputException e) {
            error = e.first().message();
        } catch (NotFoundException | ConflictException e) {
            error = e.getMessage();
        } catch (RuntimeException e) {
            log.error("import task {} of {} failed", t.id(), os, e);
            error = e.toString();
        }
        line(out, "failed: " + error);
        failed.incrementAndGet();
        store.finish(t.id(), instance, TaskState.FAILED, out.toString(), Optional.of(error), clock.instant());
        log.warn("import task {} failed: {}", t.id(), error);
    }

    private void line(StringBuilder out, String text) {
        out.append(clock.instant()).append(' ').append(text).append('\n');
    }
}
