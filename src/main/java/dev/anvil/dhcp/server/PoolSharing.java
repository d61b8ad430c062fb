package dev.anvil.dhcp.server;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.dhcp.lease.LeaseBook;
import dev.anvil.lifecycle.LogThrottle;
import dev.anvil.lifecycle.Meters;
import dev.anvil.lifecycle.Service;
import dev.anvil.store.SharedLeaseStore;
import dev.anvil.store.SharedLeaseStore.Row;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DHCP pools shared by several instances on one database (doc/scale-out.md). The DHCP server offers a pool
 * address only once this instance has claimed it in the database ({@link SharedLeaseStore#claim}), so two instances
 * never offer one address. Claims come in blocks ahead of need, on this service's own thread: the packet thread
 * asks for a refill when fewer than half a block of fresh addresses is left, and the block doubles (up to
 * {@value #MAX_BLOCK}) each time the fresh ones ran out before the refill came. The packet path never waits on the
 * database.
 *
 * <p>Also on this thread: leases granted here are recorded in the database (coalesced per address, every
 * {@value #FLUSH_MS} ms, behind the lease journal that made them durable); the peers' changes are read every
 * {@value #REFRESH_MS} ms and put in the lease book (a peer's client found here is answered with its lease); once
 * this instance may take over (its own heartbeats went through for a whole takeover timeout), the addresses of
 * peers that are gone become its own, leases and all. While this instance's own heartbeat is late (half the
 * takeover timeout), its peers may soon take its addresses: it offers no pool address until the heartbeat goes
 * through again (renewals go on). A clean stop gives back the addresses no lease holds.
 *
 * <p>Rebalancing: a claim that finds no address left records a <em>want</em> for the pool in the database
 * ({@link SharedLeaseStore#want}, refreshed while the claims keep finding nothing). Every second each instance reads
 * the peers' wants of the last {@value #WANT_MS} ms; for each wanted pool it lets go of its unused addresses (no
 * live lease or offer) but {@value #KEEP} of them, on the packet thread first (so it no longer offers them), then in
 * the database, where the wanting peer's next claim finds them. After giving back it claims nothing for that pool
 * for {@value #QUIET_MS} ms and starts again from the smallest block, so the addresses go to the peer.
 */
public final class PoolSharing implements Service, MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(PoolSharing.class);
    static final int MIN_BLOCK = 64;
    static final int MAX_BLOCK = 4096;
    static final long FLUSH_MS = 100;
    static final long REFRESH_MS = 1000;
    private static final int PAGE = 10_000;
    /** How long a peer's want counts (its claims refresh it every second while they find nothing). */
    static final long WANT_MS = 3 * REFRESH_MS;
    /** The unused addresses an instance keeps when it gives back for a peer: what it offers next meanwhile. */
    static final int KEEP = MIN_BLOCK / 2;
    /** After giving back, no claim of that pool for this long: the peer that wanted the addresses claims them. */
    static final long QUIET_MS = 3 * REFRESH_MS;

    private final SharedLeaseStore store;
    private final String self;
    private final NetworkCatalog networks;
    private final Clock clock;
    private final BooleanSupplier live;
    private final Supplier<Optional<Instant>> goneBefore;
    /** Where this instance starts claiming in a pool (a hash of its name), so peers seldom race for an address. */
    private final long spread;

    private final Map<Key, Lease> pending = new ConcurrentHashMap<>();
    private final Map<String, Refill> refills = new ConcurrentHashMap<>();
    /** The other instances seen holding addresses: the candidates for a takeover (read on this service's thread). */
    private final java.util.Set<String> holders = ConcurrentHashMap.newKeySet();
    /** Addresses let go in the book, still to give back in the database (retried each tick; this service's thread). */
    private final Map<String, java.util.Set<Ipv4Address>> owed = new LinkedHashMap<>();

    private final LogThrottle failures = new LogThrottle(Duration.ofSeconds(30));
    private final LongAdder claims = new LongAdder();
    private final LongAdder claimed = new LongAdder();
    private final LongAdder claimNanos = new LongAdder();
    private final LongAdder dry = new LongAdder();
    private final LongAdder recorded = new LongAdder();
    private final LongAdder refreshed = new LongAdder();
    private final LongAdder adopted = new LongAdder();
    private final LongAdder givenBack = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private volatile State state = State.NEW;
    private volatile DhcpServer server;
    private volatile boolean open;
    private volatile ScheduledExecutorService thread;
    /** The change numbers seen at the last two refreshes: the next reads from the older (see {@link #refresh}). */
    private long seenBefore;

    private long seen;

    /**
     * @param live whether this instance's heartbeat is recent enough that no peer can take its addresses soon
     * @param goneBefore when this instance may take over: peers whose last heartbeat is older are gone
     */
    public PoolSharing(
            SharedLeaseStore store,
            String self,
            NetworkCatalog networks,
            Clock clock,
            BooleanSupplier live,
            Supplier<Optional<Instant>> goneBefore) {
        this.store = store;
        this.self = self;
        this.networks = networks;
        this.clock = clock;
        this.live = live;
        this.goneBefore = goneBefore;
        this.spread = java.util
                .UUID
                .nameUUIDFromBytes(self.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .getMostSignificantBits();
    }

    /** A network's refill state: the block size and whether a claim is on its way. */
    private static final class Refill {
        volatile int block = MIN_BLOCK;
        volatile boolean inFlight;
        volatile boolean dry; // the fresh addresses ran out while a claim was on its way
        volatile long next; // the address the next claim starts from (unsigned), 0: the pool's start
        volatile long quietUntil; // System.nanoTime: a claim found the pool used up; not again before this
        volatile boolean wanting; // the last claim found nothing: this instance's want is in the database
    }

    private record Key(String network, Ipv4Address ip) {}

    /** Shares {@code server}'s pools through this service; call before the server starts. */
    public void attach(DhcpServer server) {
        this.server = server;
        server.sharePools(this);
    }

    @Override
    public String name() {
        return "dhcp-share";
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public synchronized void start() {
        if (server == null) {
            throw new IllegalStateException("pool sharing started without a DHCP server");
        }
        state = State.STARTING;
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dhcp-share");
            t.setDaemon(true);
            return t;
        });
        // The start: this instance's own leases (from its journal) into the database, every row into the book,
        // then the first blocks. A database that cannot be reached now is retried by the refresh.
        thread.execute(this::firstSync);
        thread.scheduleWithFixedDelay(this::flushQuietly, FLUSH_MS, FLUSH_MS, TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(this::tick, REFRESH_MS, REFRESH_MS, TimeUnit.MILLISECONDS);
        state = State.RUNNING;
        log.info("dhcp: pools shared with the other instances on the store as {}", self);
    }

    private volatile boolean synced;

    private void firstSync() {
        try {
            List<Lease> own = new ArrayList<>();
            for (Lease l : server.leases()) {
                if (l.state() != Lease.State.OFFERED) {
                    own.add(l);
                }
            }
            store.record(self, own);
            seen = 0;
            seenBefore = 0;
            refresh();
            seenBefore = seen; // everything up to here is read: the next refresh starts from it
            synced = true;
            tick();
        } catch (RuntimeException e) {
            fail("the first reading of the shared leases", e);
        }
    }

    /** Every second: the peers' changes, whether pools stay open, takeover, and refills nobody asked for. */
    private void tick() {
        try {
            if (!synced) {
                firstSync();
                return;
            }
            refresh();
            boolean nowOpen = live.getAsBoolean();
            if (nowOpen != open) {
                open = nowOpen;
                server.onBook(b -> b.open(nowOpen));
                if (!nowOpen) {
                    log.warn(
                            "dhcp: this instance's heartbeat is late: no pool address is offered until it goes through "
                                    + "(its peers could take the addresses it holds)");
                } else {
                    log.info("dhcp: pool addresses offered again (heartbeat through)");
                }
            }
            Optional<Instant> cutoff = goneBefore.get();
            if (cutoff.isPresent()) {
                List<Row> rows = store.adopt(self, holders, cutoff.get());
                if (!rows.isEmpty()) {
                    adopted.add(rows.size());
                    log.info("dhcp: took over {} addresses of instances that are gone", rows.size());
                    apply(rows);
                }
            }
            for (String network : store.wanted(self, Duration.ofMillis(WANT_MS))) {
                if (networks.get(network).flatMap(Network::dhcpPool).isPresent()) {
                    server.onBook(b -> letGo(b, network));
                }
            }
            settle();
            for (Network n : networks.all()) {
                if (n.dhcpPool().isPresent()) {
                    server.onBook(b -> refillIfLow(b, n.name()));
                }
            }
        } catch (RuntimeException e) {
            fail("reading the shared leases", e);
        }
    }

    /**
     * On the packet thread, for a peer that wants addresses of {@code network}'s pool: stops offering the unused
     * ones but {@value #KEEP}, then has this service's thread give them back in the database.
     */
    private void letGo(LeaseBook book, String network) {
        List<Ipv4Address> ips = book.giveBack(network, KEEP, clock.instant());
        if (ips.isEmpty()) {
            return;
        }
        Refill r = refills.computeIfAbsent(network, k -> new Refill());
        r.block = MIN_BLOCK;
        r.quietUntil = System.nanoTime() + QUIET_MS * 1_000_000L;
        try {
            thread.execute(() -> {
                owed.computeIfAbsent(network, k -> new java.util.LinkedHashSet<>())
                        .addAll(ips);
                settle();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping: the clean stop gives back every unleased address anyway
        }
    }

    /**
     * On this service's thread: gives back in the database what the book let go. One that fails is tried again at
     * the next tick (the book never holds those addresses again: had the write gone through unseen, taking them
     * back would let two instances offer them).
     */
    private void settle() {
        if (owed.isEmpty()) {
            return;
        }
        try {
            // A lease of one of them still queued would claim it again (an unheld address is recorded as held).
            flush();
        } catch (RuntimeException x) {
            fail("recording leases", x);
            return;
        }
        for (var it = owed.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            try {
                int n = store.giveBack(self, e.getKey(), e.getValue());
                givenBack.add(n);
                log.info(
                        "dhcp: gave back {} unused addresses of {}'s pool to the instance(s) that ran out",
                        n,
                        e.getKey());
                it.remove();
            } catch (RuntimeException x) {
                fail("giving back addresses of " + e.getKey() + "'s pool", x);
            }
        }
    }

    /**
     * The rows changed since the refresh before last (after the first reading, only those another instance holds or
     * none does: this instance's own it knows): a change number is taken before its transaction commits, so one
     * taken earlier may become visible after a later one; reading one interval back catches it.
     */
    private void refresh() {
        long from = seenBefore;
        long max = seen;
        while (true) {
            List<Row> rows = store.changedSince(from, synced ? Optional.of(self) : Optional.empty(), PAGE);
            if (rows.isEmpty()) {
                break;
            }
            apply(rows);
            refreshed.add(rows.size());
            from = rows.get(rows.size() - 1).seq();
            max = Math.max(max, from);
            if (rows.size() < PAGE) {
                break;
            }
        }
        seenBefore = seen;
        seen = max;
    }

    /** Puts rows into the book on the packet thread: holds for this instance's, the peers' leases as theirs. */
    private void apply(List<Row> rows) {
        for (Row r : rows) {
            r.holder().filter(h -> !h.equals(self)).ifPresent(holders::add);
        }
        server.onBook(b -> {
            for (Row r : rows) {
                if (r.holder().filter(self::equals).isPresent()) {
                    b.hold(r.network(), r.ip());
                    if (r.lease().isPresent() && b.at(r.ip()).isEmpty()) {
                        b.put(r.lease().get()); // taken over from a peer, or recorded before a restart
                    }
                } else {
                    b.unhold(r.network(), r.ip());
                    r.lease().ifPresent(b::put);
                }
            }
        });
    }

    /**
     * On the packet thread, after each DISCOVER (offered or not): asks for more addresses when few are left, and
     * notes when none are left while a claim is on its way.
     */
    void afterDiscover(LeaseBook book, String network) {
        refillIfLow(book, network);
    }

    private void refillIfLow(LeaseBook book, String network) {
        Refill r = refills.computeIfAbsent(network, k -> new Refill());
        if (System.nanoTime() - r.quietUntil < 0 || thread == null || state != State.RUNNING) {
            return;
        }
        int fresh = book.freshHeld(network);
        if (r.inFlight) {
            if (fresh == 0 && !r.dry) {
                r.dry = true; // ran dry while the claim is on its way: the block is too small for this rate
                dry.increment();
            }
            return;
        }
        if (fresh >= r.block / 2) {
            return;
        }
        r.inFlight = true;
        if (r.dry) {
            r.dry = false;
            r.block = Math.min(MAX_BLOCK, r.block * 2);
        }
        int count = r.block;
        try {
            thread.execute(() -> claim(network, r, count));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            r.inFlight = false; // stopping
        }
    }

    private void claim(String network, Refill r, int count) {
        try {
            Optional<Network> net = networks.get(network);
            if (net.isEmpty() || net.get().dhcpPool().isEmpty()) {
                r.inFlight = false;
                return;
            }
            var pool = net.get().dhcpPool().get();
            long first = pool.start().unsigned() + Math.floorMod(spread, pool.size()); // this instance's own place
            Ipv4Address from = Ipv4Address.ofUnsigned(r.next == 0 ? first : r.next);
            long t0 = System.nanoTime();
            List<Row> rows = store.claim(self, network, pool, from, count);
            claimNanos.add(System.nanoTime() - t0);
            claims.increment();
            claimed.add(rows.size());
            for (Row row : rows) {
                if (row.lease().isEmpty()) {
                    long next = row.ip().unsigned() + 1;
                    r.next = next > pool.end().unsigned() ? 0 : next;
                }
            }
            if (rows.isEmpty()) {
                // The pool is used up for now (every address held): ask again at the next tick, not per packet. (A
                // short claim may only have raced a peer over the same addresses: the next offer asks again.)
                r.quietUntil = System.nanoTime() + REFRESH_MS * 900_000L;
                log.debug("dhcp: no address of {}'s pool left to claim", network);
            }
            apply(rows);
            server.onBook(b -> r.inFlight = false);
            if (rows.isEmpty() || r.wanting) {
                // The peers give back their unused addresses while this want is fresh (each tick's claim renews it).
                store.want(self, network, rows.isEmpty());
                if (r.wanting != rows.isEmpty()) {
                    log.info(
                            rows.isEmpty()
                                    ? "dhcp: no address of {}'s pool left to claim: asking the other instances"
                                    : "dhcp: addresses of {}'s pool claimed again",
                            network);
                }
                r.wanting = rows.isEmpty();
            }
        } catch (RuntimeException e) {
            r.inFlight = false;
            fail("claiming addresses of " + network + "'s pool", e);
        }
    }

    /** On the packet thread: a lease granted, renewed, released or declined here, for the database. */
    void record(Lease l) {
        pending.put(new Key(l.network(), l.ip()), l);
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            fail("recording leases", e);
        }
    }

    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<Map.Entry<Key, Lease>> batch = new ArrayList<>(pending.entrySet());
        List<Lease> leases = new ArrayList<>(batch.size());
        batch.forEach(e -> leases.add(e.getValue()));
        store.record(self, leases);
        recorded.add(leases.size());
        batch.forEach(e -> pending.remove(e.getKey(), e.getValue())); // a newer lease of the address stays queued
    }

    private void fail(String what, RuntimeException e) {
        errors.increment();
        long quiet = failures.permit(System.nanoTime());
        if (quiet >= 0) {
            log.warn(
                    "dhcp: {} failed ({} more since the last line): {}; known clients are answered from memory, "
                            + "new clients only from the addresses already claimed",
                    what,
                    quiet,
                    e.toString());
        }
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", self);
        m.put("poolsOpen", open);
        m.put("claims", claims.sum());
        m.put("claimed", claimed.sum());
        m.put("claimMillis", claimNanos.sum() / 1_000_000);
        m.put("ranDry", dry.sum());
        m.put("recorded", recorded.sum());
        m.put("pendingRecords", pending.size());
        m.put("refreshed", refreshed.sum());
        m.put("adopted", adopted.sum());
        m.put("givenBack", givenBack.sum());
        m.put(
                "wanting",
                refills.entrySet().stream()
                        .filter(e -> e.getValue().wanting)
                        .map(Map.Entry::getKey)
                        .sorted()
                        .toList());
        m.put("errors", errors.sum());
        return m;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        Meters.count(r, "anvil.dhcp.share.claims", "claims of pool addresses in the shared store", claims);
        Meters.count(r, "anvil.dhcp.share.claimed", "pool addresses claimed in the shared store", claimed);
        Meters.count(r, "anvil.dhcp.share.recorded", "leases recorded in the shared store", recorded);
        Meters.count(r, "anvil.dhcp.share.adopted", "addresses taken over from instances that are gone", adopted);
        Meters.count(
                r,
                "anvil.dhcp.share.given.back",
                "unused pool addresses given back for an instance that ran out",
                givenBack);
        Meters.count(r, "anvil.dhcp.share.errors", "failed reads and writes of the shared leases", errors);
    }

    /**
     * Stops offering pool addresses, records what is queued, then gives back the addresses no lease holds (so a
     * peer may claim them at once); waits at most a few seconds for the database.
     */
    @Override
    public synchronized void close() {
        if (state != State.RUNNING) {
            return;
        }
        state = State.STOPPING;
        ScheduledExecutorService t = thread;
        t.shutdownNow();
        try {
            t.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.onBookAndWait(b -> b.open(false));
            flush();
            for (var e : refills.entrySet()) {
                if (e.getValue().wanting) {
                    store.want(self, e.getKey(), false);
                }
            }
            int released = store.release(self, clock.instant());
            log.info("dhcp: gave back {} unleased pool addresses to the other instances", released);
        } catch (RuntimeException e) {
            log.warn(
                    "dhcp: could not give the pool addresses back on stop ({}); peers take them over once this "
                            + "instance's heartbeat is old",
                    e.toString());
        }
        state = State.STOPPED;
    }
}
