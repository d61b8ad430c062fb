package dev.anvil.store.pg;

import dev.anvil.lifecycle.Meters;
import dev.anvil.lifecycle.Service;
import dev.anvil.store.NodeChanges;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the node changes every instance makes to a shared PostgreSQL store on to this one (doc/scale-out.md): on
 * a connection of its own, outside the pool, it {@code LISTEN}s to {@value #CHANNEL} (the triggers of {@code
 * V15__node_notify.sql} send each changed node's id at commit) and passes each id to {@link NodeChanges#changed},
 * on its own thread ({@code anvil-node-listener}), one at a time. Every {@code resync} (zero: never) it has {@link
 * NodeChanges#resync} compare every node, for whatever a notification did not tell.
 *
 * <p>A lost connection is logged once; it reconnects with back-off (200 ms doubling to {@value #MAX_BACKOFF_MS}
 * ms), and after every connect (the first one included: what changed before the {@code LISTEN} was told to no
 * one) it resyncs in full. When a change cannot be applied (the store read fails), the same: a resync once it
 * can. A connection silent for {@link #IDLE_CHECK} is checked with a query, so one cut without a word (a network
 * partition) is found within {@link #IDLE_CHECK} plus its socket timeout.
 */
public final class PgNodeListener implements Service, MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(PgNodeListener.class);
    public static final String CHANNEL = "anvil_nodes";
    /** The operator's DNS records changed (no payload; {@code V17__dns_record_notify.sql}). */
    public static final String RECORDS_CHANNEL = "anvil_dns_records";

    static final long MAX_BACKOFF_MS = 5_000;
    static final Duration IDLE_CHECK = Duration.ofSeconds(10);
    private static final int WAIT_MS = 250;

    private final String url;
    private final String user;
    private final Optional<String> password;
    private final NodeChanges changes;
    private final IntSupplier records;
    private final Duration resync;
    private final AtomicLong notified = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong resyncChanges = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile long lastResyncMillis = -1;
    private volatile boolean listening;
    private volatile boolean stopping;
    private volatile State state = State.NEW;
    private Thread thread;
    private Connection connection; // the listener thread's, once started

    /**
     * @param records compares the operator's DNS records with the store's and publishes the differences; returns how
     *     many it found (told on {@value #RECORDS_CHANNEL}, and at every resync)
     * @param resync how often to compare every node ({@link Duration#ZERO}: only after a connect or a failure)
     */
    public PgNodeListener(
            String url,
            String user,
            Optional<String> password,
            NodeChanges changes,
            IntSupplier records,
            Duration resync) {
        if (resync.isNegative()) {
            throw new IllegalArgumentException("resync interval " + resync + " is negative");
        }
        this.url = url;
        this.user = user;
        this.password = password;
        this.changes = changes;
        this.records = records;
        this.resync = resync;
    }

    @Override
    public String name() {
        return "node-sync";
    }

    /** Connects and listens before it returns (if the server answers; else the thread keeps trying). */
    @Override
    public synchronized void start() {
        if (state == State.RUNNING) {
            return;
        }
        state = State.STARTING;
        try {
            connection = connect();
        } catch (SQLException e) {
            log.warn("node changes: cannot listen on PostgreSQL at {} yet ({}); retrying", url, e.getMessage());
        }
        stopping = false;
        thread = new Thread(this::run, "anvil-node-listener");
        thread.setDaemon(true);
        state = State.RUNNING;
        thread.start();
        log.info(
                "node changes: listening on {} at {}; resync {}",
                CHANNEL,
                url,
                resync.isZero() ? "after a reconnect only" : "every " + resync.toSeconds() + " s");
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        password.ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("ApplicationName", "anvil-node-listener");
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", "10"); // the idle check's query; getNotifications sets its own wait
        p.setProperty("tcpKeepAlive", "true");
        Connection c = DriverManager.getConnection(url, p);
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
            s.execute("LISTEN " + RECORDS_CHANNEL);
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        listening = true;
        return c;
    }

    private void run() {
        long backoff = 200;
        long lostAt = 0; // nanoTime the connection was lost; 0 while it is up
        boolean mustResync = true; // after every connect, and after a change that could not be applied
        long nextResync = System.nanoTime() + resync.toNanos();
        long lastHeard = System.nanoTime();
        while (!stopping) {
            try {
                if (connection == null) {
                    connection = connect();
                    if (lostAt != 0) {
                        reconnects.incrementAndGet();
                        log.info(
                                "node changes: listening again after {} ms; resyncing every node (notifications were "
                                        + "missed meanwhile)",
                                (System.nanoTime() - lostAt) / 1_000_000);
                        lostAt = 0;
                    }
                    mustResync = true;
                    lastHeard = System.nanoTime();
                }
                if (mustResync || (!resync.isZero() && System.nanoTime() - nextResync >= 0)) {
                    resyncNow();
                    mustResync = false;
                    nextResync = System.nanoTime() + resync.toNanos();
                }
                PGNotification[] got = connection.unwrap(PGConnection.class).getNotifications(WAIT_MS);
                if (got != null && got.length > 0) {
                    lastHeard = System.nanoTime();
                    handle(got);
                } else if (System.nanoTime() - lastHeard > IDLE_CHECK.toNanos()) {
                    try (Statement s = connection.createStatement()) {
                        s.execute("SELECT 1");
                    }
                    lastHeard = System.nanoTime();
                }
                backoff = 200;
            } catch (SQLException e) {
                listening = false;
                if (stopping) {
                    break;
                }
                if (lostAt == 0) {
                    lostAt = System.nanoTime();
                    log.warn(
                            "node changes: the listening connection to PostgreSQL is lost ({}); reconnecting, then "
                                    + "resyncing every node",
                            e.getMessage());
                }
                closeQuietly(connection);
                connection = null;
                backoff = pause(backoff);
            } catch (RuntimeException e) {
                // a change could not be read from the store (the pool's connection failed): resync when it can
                failures.incrementAndGet();
                if (!mustResync) {
                    log.warn(
                            "node changes: cannot apply a change ({}); resyncing every node once the store "
                                    + "answers",
                            e.toString());
                }
                mustResync = true;
                backoff = pause(backoff);
            }
        }
        closeQuietly(connection);
        connection = null;
        listening = false;
    }

    private void handle(PGNotification[] got) {
        Set<Long> ids = new LinkedHashSet<>(); // a batch tells each node once
        boolean recordsChanged = false;
        for (PGNotification n : got) {
            notified.incrementAndGet();
            if (RECORDS_CHANNEL.equals(n.getName())) {
                recordsChanged = true;
                continue;
            }
            try {
                ids.add(Long.parseLong(n.getParameter()));
            } catch (NumberFormatException e) {
                log.warn(
                        "node changes: ignored a notification on {} that is no node id: \"{}\"",
                        CHANNEL,
                        n.getParameter());
            }
        }
        for (long id : ids) {
            if (changes.changed(id)) {
                applied.incrementAndGet();
            }
        }
        if (recordsChanged) {
            applied.addAndGet(records.getAsInt());
        }
    }

    private void resyncNow() {
        long t0 = System.nanoTime();
        int found = changes.resync() + records.getAsInt();
        lastResyncMillis = (System.nanoTime() - t0) / 1_000_000;
        resyncs.incrementAndGet();
        resyncChanges.addAndGet(found);
        log.debug("node changes: resync in {} ms, {} change(s) found", lastResyncMillis, found);
    }

    private long pause(long backoff) {
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
        return Math.min(backoff * 2, MAX_BACKOFF_MS);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing the listening connection: {}", e.getMessage());
        }
    }

    /** Whether the listening connection is up (a test waits for it after an outage). */
    public boolean listening() {
        return listening;
    }

    /** Resync runs so far. */
    public long resyncs() {
        return resyncs.get();
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("listening", listening);
        m.put("notifications", notified.get());
        m.put("applied", applied.get());
        m.put("resyncs", resyncs.get());
        m.put("resyncChanges", resyncChanges.get());
        m.put("lastResyncMillis", lastResyncMillis);
        m.put("resyncSeconds", resync.toSeconds());
        m.put("reconnects", reconnects.get());
        m.put("failures", failures.get());
        return m;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        String notes = "node change notifications received from PostgreSQL, by whether they changed this instance "
                + "(unchanged: its own writes, or told already)";
        Meters.count(r, "anvil.store.node.notifications", notes, applied, AtomicLong::get, "result", "applied");
        Meters.count(
                r,
                "anvil.store.node.notifications",
                notes,
                this,
                l -> l.notified.get() - l.applied.get(),
                "result",
                "unchanged");
        Meters.count(
                r,
                "anvil.store.node.resyncs",
                "full comparisons of every node in the store with this instance's",
                resyncs,
                AtomicLong::get);
        Meters.count(
                r,
                "anvil.store.node.resync.changes",
                "node changes a resync found that no notification had told (missed while not listening)",
                resyncChanges,
                AtomicLong::get);
        Meters.count(
                r,
                "anvil.store.node.listener.reconnects",
                "times the listening connection to PostgreSQL was made again after it was lost",
                reconnects,
                AtomicLong::get);
    }

    /** Stops listening; waits for the thread (at most a few seconds: a store read in hand is let finish). */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.STOPPING;
            stopping = true;
            t = thread;
        }
        try {
            t.join(5_000);
            if (t.isAlive()) {
                log.warn("node changes: the listener thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = State.STOPPED;
    }
}
