package dev.anvil.dns.server;

import dev.anvil.config.DnsConfig;
import dev.anvil.core.dns.DnsRecord;
import dev.anvil.core.dns.DnsRecordEvent;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.dns.policy.LiveZones;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the zones and keeps them current. A node event changes them in place ({@link LiveZones#put}/{@link
 * LiveZones#remove}: the node's few names, not the whole zone); a network change builds new zones from the
 * nodes held here and swaps them in. Queries read the reference and never lock.
 *
 * <p>Versions: the first build takes the node directory's nodes with the version they are current to; an
 * event is applied only if it is newer than that and than the last one applied to its node (a deleted node
 * keeps its version), so a duplicate or late event never rolls the zones back.
 *
 * <p>The SOA serial (seconds since the epoch, or one more than the last serial when that is not more) and
 * the NOTIFY to the secondaries follow the changes to records (not a node's state or alive flag) at most
 * once a second: the first change after a quiet
 * second bumps it at once, the changes within the next second share one bump at its end. The records
 * themselves change at once.
 */
public final class DnsZones implements Consumer<NodeEvent> {
    private static final Logger log = LoggerFactory.getLogger(DnsZones.class);
    static final long SERIAL_INTERVAL_MILLIS = 1000;

    private final NetworkCatalog networks;
    private final String adminNetwork;
    private final NodeDirectory directory;
    private final Addressing addressing;
    private final DnsConfig cfg;
    private final Clock clock;
    private final AtomicReference<LiveZones> current = new AtomicReference<>();
    private final Supplier<List<DnsRecord>> records;
    private volatile Runnable onChange = () -> {};
    // guarded by this
    private BiConsumer<Long, Runnable> later;
    private final Map<Long, Long> versions = new HashMap<>();
    private long floor;
    private long lastBumpMillis = Long.MIN_VALUE / 2;
    private long networkVersion;
    private boolean bumpScheduled;
    private boolean dirty;
    private long applied;
    private long stale;
    private long bumps;

    public DnsZones(
            NetworkCatalog networks,
            String adminNetwork,
            NodeDirectory directory,
            Addressing addressing,
            DnsConfig cfg,
            Clock clock) {
        this(networks, adminNetwork, directory, addressing, cfg, clock, List::of);
    }

    /** With the operator's records, read from {@code records} when the zones are first built. */
    public DnsZones(
            NetworkCatalog networks,
            String adminNetwork,
            NodeDirectory directory,
            Addressing addressing,
            DnsConfig cfg,
            Clock clock,
            Supplier<List<DnsRecord>> records) {
        this.records = records;
        this.networks = networks;
        this.adminNetwork = adminNetwork;
        this.directory = directory;
        this.addressing = addressing;
        this.cfg = cfg;
        this.clock = clock;
    }

    /** The zones; built by the first {@link #rebuild()} (the server's start), so a daemon's start is not held up. */
    public LiveZones current() {
        return current.get();
    }

    /** Called after the serial moved on (the server sends NOTIFY to the secondaries). */
    void onChange(Runnable r) {
        this.onChange = r;
    }

    /**
     * How to run a serial bump later ({@code (delayMillis, task)}); without one, every change bumps the
     * serial at once.
     */
    synchronized void scheduler(BiConsumer<Long, Runnable> later) {
        this.later = later;
    }

    /**
     * Builds the zones: the first time from the node directory (waiting for its load), afterwards (a network
     * changed) from the nodes held here, with the networks as they are now; nothing if the zones were built
     * from this version of the networks already.
     */
    public void rebuild() {
        LiveZones old = current.get();
        if (old == null) {
            NodeDirectory.Snapshot nodes = directory.snapshot(); // waits for the load, outside the lock
            synchronized (this) {
                if (current.get() == null) {
                    long serial = clock.instant().getEpochSecond() & 0xffffffffL;
                    NetworkCatalog.Snapshot nets = networks.snapshot();
                    // The records are read under this lock: a record change either waits for this build (and is applied
                    // to it) or committed before this read (and is in it).
                    current.set(LiveZones.build(
                            nets.networks(), adminNetwork, nodes.nodes(), records.get(), addressing, cfg, serial));
                    networkVersion = nets.version();
                    floor = nodes.version();
                    applied = nodes.version();
                    lastBumpMillis = clock.millis();
                    return;
                }
            }
        }
        synchronized (this) {
            NetworkCatalog.Snapshot nets = networks.snapshot();
            if (nets.version() <= networkVersion) {
                return; // built from these networks (or newer) already
            }
            LiveZones now = current.get();
            current.set(LiveZones.build(
                    nets.networks(),
                    adminNetwork,
                    now.nodes().values(),
                    now.records().values(),
                    addressing,
                    cfg,
                    now.serial()));
            networkVersion = nets.version();
            changed();
        }
    }

    /** Applies a node change, unless it is not newer than what the zones hold of that node. */
    @Override
    public synchronized void accept(NodeEvent e) {
        LiveZones z = current.get();
        if (z == null) {
            return; // the first build reads the directory, which has this change
        }
        long id = e.node().id();
        if (e.version() <= floor || e.version() <= versions.getOrDefault(id, 0L)) {
            stale++;
            return;
        }
        versions.put(id, e.version());
        applied = Math.max(applied, e.version());
        if (e.after().isPresent() ? z.put(e.after().get()) : z.remove(id)) {
            changed(); // not for a change DNS does not serve (state, alive, boot environment...)
        }
    }

    /** Applies a change to the operator's records (delivered in commit order, under the writer's lock). */
    public synchronized void recordChanged(DnsRecordEvent e) {
        LiveZones z = current.get();
        if (z == null) {
            return; // the first build reads the store, which has this change
        }
        if (e.added() ? z.putRecord(e.record()) : z.removeRecord(e.record().id())) {
            changed();
        }
    }

    /** The version of the last node change in the zones. */
    public synchronized long version() {
        return applied;
    }

    /** Node events ignored as not newer than what the zones held. */
    public synchronized long staleEvents() {
        return stale;
    }

    /** Serial bumps since the first build. */
    public synchronized long serialBumps() {
        return bumps;
    }

    private void changed() {
        dirty = true;
        if (bumpScheduled) {
            return;
        }
        long wait = lastBumpMillis + SERIAL_INTERVAL_MILLIS - clock.millis();
        if (wait <= 0 || later == null) {
            bump();
            return;
        }
        bumpScheduled = true;
        try {
            later.accept(wait, this::scheduledBump);
        } catch (RuntimeException e) { // the server's loops are shut down: no more NOTIFY to send
            log.debug("dns: cannot schedule the serial bump, bumping now", e);
            bumpScheduled = false;
            bump();
        }
    }

    private synchronized void scheduledBump() {
        bumpScheduled = false;
        if (dirty) {
            bump();
        }
    }

    private void bump() {
        LiveZones z = current.get();
        z.setSerial(Math.max(clock.instant().getEpochSecond() & 0xffffffffL, z.serial() + 1));
        lastBumpMillis = clock.millis();
        dirty = false;
        bumps++;
        onChange.run();
    }

    @Override
    public String toString() {
        LiveZones z = current.get();
        return "DnsZones(" + (z == null ? "not built" : z) + ")";
    }

    /** The nodes the zones hold (tests). */
    Map<Long, Node> nodes() {
        return current.get().nodes();
    }
}
