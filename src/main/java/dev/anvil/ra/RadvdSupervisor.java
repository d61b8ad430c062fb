package dev.anvil.ra;

import dev.anvil.config.RaConfig;
import dev.anvil.lifecycle.Meters;
import dev.anvil.lifecycle.Service;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Router advertisements through Debian's radvd, run as a child of anvild (doc/ipv6.md): one thread, {@code
 * anvil-radvd}, plans the links, writes {@code <stateDir>/radvd/radvd.conf}, checks it with {@code radvd
 * --configtest}, starts {@code radvd --nodaemon --logmethod stderr} (behind {@code setpriv --pdeathsig TERM}
 * where util-linux has it, so a radvd whose anvild was killed stops too: the signal goes when the thread that
 * started it ends, hence one thread for every start), forwards its output to the log ({@link ChildOutput}), and
 * starts it again with back-off (1 s doubling to 60 s) when it dies. No link to advertise on: no radvd (idle until
 * {@link #reload}). {@link #close} sends SIGTERM (radvd then sends its final RAs), waits 3 s, then kills it and any
 * child it left.
 *
 * <p>A radvd that cannot start (not installed, a config it refuses, no CAP_NET_RAW) is one error line; the service
 * is then {@code failed} and the daemon serves everything else.
 *
 * <p>Size: over 300 lines because start, the supervising loop, reload and a stop that leaves no process behind
 * share one lock and its state; the executable and its files are {@link Radvd}, the output handling {@link
 * ChildOutput}, the text {@link RadvdConf}.
 */
public final class RadvdSupervisor implements Service, MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(RadvdSupervisor.class);
    private static final long MAX_BACKOFF_MILLIS = 60_000;
    /** A radvd that ran this long before dying starts again after the shortest back-off. */
    private static final long STABLE_MILLIS = 60_000;

    private final RaConfig ra;
    private final Radvd radvd;
    private final Supplier<RaPlan> plans;
    private final LongAdder restarts = new LongAdder();
    private final CompletableFuture<String> firstStart = new CompletableFuture<>();

    private volatile State state = State.NEW;
    private boolean stopping;
    private boolean reloadRequested;
    private Process current;
    private String text = "";
    private RaPlan plan = new RaPlan(List.of(), List.of());
    private String error;
    private Integer lastExit;
    private Thread thread;
    private Thread reader;

    /**
     * @param stateDir radvd's config and pid file go to {@code <stateDir>/radvd/}
     * @param plans what to advertise now (read at every start and reload)
     */
    public RadvdSupervisor(RaConfig ra, Path stateDir, Supplier<RaPlan> plans) {
        this.ra = ra;
        this.radvd = new Radvd(ra.radvd(), stateDir.resolve("radvd"));
        this.plans = plans;
    }

    @Override
    public String name() {
        return "ra";
    }

    @Override
    public State state() {
        return state;
    }

    /** Starts the supervising thread and waits (at most 10 s) for radvd to run, idle or fail; never throws. */
    @Override
    public void start() {
        state = State.STARTING;
        try {
            Files.createDirectories(radvd.dir);
            radvd.killStale();
        } catch (IOException | RuntimeException e) {
            fail("router advertisements off: cannot prepare " + radvd.dir + ": " + e.getMessage());
            return;
        }
        thread = new Thread(this::loop, "anvil-radvd");
        thread.setDaemon(true);
        thread.start();
        String failure;
        try {
            failure = firstStart.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            failure = null; // still starting: the loop reports what follows
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted while starting radvd";
        } catch (java.util.concurrent.ExecutionException e) {
            failure = String.valueOf(e.getCause());
        }
        if (failure != null) {
            fail("router advertisements off: " + failure);
        } else if (state == State.STARTING) {
            state = State.RUNNING;
        }
    }

    private void fail(String message) {
        synchronized (this) {
            error = message;
        }
        state = State.FAILED;
        log.error(message);
    }

    /** Plans again; when radvd would be told something else, it is restarted with the new config. */
    public void reload() {
        String next;
        try {
            next = RadvdConf.render(plans.get().links(), ra);
        } catch (RuntimeException e) {
            log.warn("router advertisements: cannot plan the links again: {}", e.getMessage());
            return;
        }
        synchronized (this) {
            if (stopping || state == State.FAILED || next.equals(text)) {
                return;
            }
            reloadRequested = true;
            if (current != null) {
                current.destroy();
            }
            notifyAll();
        }
    }

    private void loop() {
        long backoff = 1000;
        while (true) {
            RaPlan p;
            try {
                p = plans.get();
            } catch (RuntimeException e) {
                p = new RaPlan(List.of(), List.of("cannot read the interfaces: " + e.getMessage()));
            }
            String t = RadvdConf.render(p.links(), ra);
            synchronized (this) {
                if (stopping) {
                    return;
                }
                reloadRequested = false;
                plan = p;
                text = t;
            }
            p.notes().forEach(s -> log.warn("router advertisements: {}", s));
            if (p.links().isEmpty()) {
                log.warn("router advertisements: no link to advertise on; radvd not started");
                firstStart.complete(null);
                if (!await(0)) {
                    return;
                }
                continue;
            }
            Optional<String> refused = radvd.writeAndCheck(t);
            if (refused.isPresent()) {
                if (!firstStart.complete(refused.get())) {
                    log.error("router advertisements: {}; radvd left stopped until the networks change", refused.get());
                    synchronized (this) {
                        error = refused.get();
                    }
                    if (!await(0)) {
                        return;
                    }
                    continue;
                }
                return;
            }
            long t0 = System.nanoTime();
            Integer code = runOnce(p);
            if (code == null) {
                return; // stopping, or the first start failed
            }
            synchronized (this) {
                if (stopping) {
                    return;
                }
                if (reloadRequested) {
                    log.info("router advertisements: the links changed; radvd restarts with the new config");
                    continue;
                }
                lastExit = code;
            }
            restarts.increment();
            backoff = (System.nanoTime() - t0) / 1_000_000 > STABLE_MILLIS ? 1000 : backoff;
            log.warn("radvd exited with status {}; starting it again in {} s", code, backoff / 1000);
            if (!await(backoff)) {
                return;
            }
            backoff = Math.min(MAX_BACKOFF_MILLIS, 2 * backoff);
        }
    }

    /**
     * Waits for a reload or the stop ({@code millis} 0: without limit); false when stopping. A reload asked for
     * during the wait ends it at once.
     */
    private synchronized boolean await(long millis) {
        long end = System.currentTimeMillis() + millis;
        try {
            while (!stopping && !reloadRequested) {
                long left = millis == 0 ? 0 : end - System.currentTimeMillis();
                if (millis != 0 && left <= 0) {
                    break;
                }
                wait(left);
            }
        } catch (InterruptedException e) {
            return false;
        }
        return !stopping;
    }

    /** Runs radvd until it exits: its status, or null when stopping or when it never came up on the first start. */
    private Integer runOnce(RaPlan p) {
        List<String> cmd = radvd.command();
        Process proc;
        ChildOutput out;
        synchronized (this) {
            if (stopping) {
                return null;
            }
            try {
                Files.deleteIfExists(radvd.pidFile);
                proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                String why = "cannot start " + ra.radvd() + ": " + e.getMessage();
                if (firstStart.complete(why)) {
                    return null;
                }
                log.error("router advertisements: {}", why);
                return -1;
            }
            current = proc;
            out = new ChildOutput(proc.getInputStream(), s -> log.info("radvd: {}", s));
            reader = new Thread(out, "anvil-radvd-output");
            reader.setDaemon(true);
            reader.start();
        }
        try {
            proc.getOutputStream().close();
        } catch (IOException e) {
            // nothing was to be written to it
        }
        boolean up = radvd.awaitPidFile(proc);
        if (!up) {
            int code = Radvd.waitExit(proc);
            joinReader();
            String said = String.join(" | ", out.last());
            String why = "radvd exited at once with status " + code + ": "
                    + (said.isEmpty() ? "no output" : said)
                    + (said.isEmpty() || said.contains("not permitted")
                            ? " (its ICMPv6 socket needs CAP_NET_RAW: give anvild AmbientCapabilities=CAP_NET_RAW"
                                    + " as the shipped unit does, or set ra.enabled: false)"
                            : "");
            synchronized (this) {
                current = null;
                if (stopping || reloadRequested) {
                    return stopping ? null : code;
                }
            }
            if (firstStart.complete(why)) {
                return null;
            }
            log.error("router advertisements: {}", why);
            return code;
        }
        firstStart.complete(null);
        synchronized (this) {
            error = null;
        }
        log.info(
                "router advertisements: radvd (pid {}) on {}",
                proc.pid(),
                p.links().stream()
                        .map(l -> l.iface() + " (" + l.network() + ", " + l.prefix() + ", M/O "
                                + (ra.managed() ? "on" : "off") + ", RDNSS " + l.rdnss() + ")")
                        .toList());
        int code = Radvd.waitExit(proc);
        joinReader();
        synchronized (this) {
            current = null;
            return stopping ? null : code;
        }
    }

    private void joinReader() {
        Thread r;
        synchronized (this) {
            r = reader;
        }
        if (r != null) {
            try {
                r.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        Process p;
        Thread t;
        synchronized (this) {
            if (state == State.NEW || state == State.STOPPED) {
                return;
            }
            state = State.STOPPING;
            stopping = true;
            notifyAll();
            p = current;
            t = thread;
        }
        if (p != null) {
            Radvd.stop(p.toHandle());
        }
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        joinReader();
        try {
            Files.deleteIfExists(radvd.pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        state = State.STOPPED;
    }

    /** The radvd process now, when one runs. */
    public synchronized Optional<ProcessHandle> process() {
        return Optional.ofNullable(current).map(Process::toHandle);
    }

    @Override
    public synchronized Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("radvd", current != null ? "running" : plan.links().isEmpty() ? "idle" : "stopped");
        if (current != null) {
            m.put("pid", current.pid());
        }
        m.put(
                "links",
                plan.links().stream().map(l -> l.iface() + " " + l.prefix()).toList());
        m.put("restarts", restarts.sum());
        if (lastExit != null) {
            m.put("lastExit", lastExit);
        }
        if (error != null) {
            m.put("error", error);
        }
        return m;
    }

    /** {@code anvil_ra_radvd_running}, {@code anvil_ra_links}, {@code anvil_ra_radvd_restarts_total}. */
    @Override
    public void bindTo(MeterRegistry r) {
        Meters.gauge(
                r,
                "anvil.ra.radvd.running",
                "1 while radvd runs, else 0",
                this,
                s -> s.process().isPresent() ? 1 : 0);
        Meters.gauge(r, "anvil.ra.links", "links radvd advertises on", this, s -> s.links());
        Meters.count(r, "anvil.ra.radvd.restarts", "times radvd died and was started again", restarts);
    }

    private synchronized int links() {
        return plan.links().size();
    }
}
