package dev.anvil.core.node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An in-memory index of nodes by MAC for the packet paths (DHCP, TFTP), kept current by node events. Events
 * are published synchronously after each commit, so a change is visible to the very next packet.
 *
 * <p>At start-up the index can be filled in the background ({@link #deferred}): until {@link #load} has run,
 * {@link #byMac} asks the store (an indexed lookup, so DHCP answers known machines from its first packet),
 * the other lookups wait for the load, and events that arrive meanwhile are applied after it, in order.
 *
 * <p>Versions ({@link NodeEvent#version()}): the load records the last committed version before it reads the
 * store (every change up to it is in what it reads); an event is applied only if it is newer than that and
 * than the last one applied to its node (deleted nodes keep their version), so a duplicate or late delivery
 * never rolls a node back or brings a deleted one back. The versions of the last {@value #TOMBSTONES} deleted
 * nodes are kept by id; older ones are folded into one floor (the newest forgotten deletion's version), below
 * which a change to a node this index does not hold is stale: memory stays bounded under any churn of creates
 * and deletes, and only a change delivered more than {@value #TOMBSTONES} deletions late could be misjudged.
 */
public final class NodeDirectory implements Consumer<NodeEvent> {
    private static final long LOAD_WAIT_SECONDS = 120;
    static final int TOMBSTONES = 4096;

    private final Map<MacAddress, Node> byMac = new ConcurrentHashMap<>();
    private final Map<dev.anvil.core.net.Ipv4Address, Node> byIpv4 = new ConcurrentHashMap<>();
    private final Map<Long, Node> byId = new ConcurrentHashMap<>();
    /** By the 64 bits of md5(name) every derived IPv6 address of the node ends in ({@code InterfaceId}). */
    private final Map<Long, Node> byInterfaceId = new ConcurrentHashMap<>();

    private final CountDownLatch loaded = new CountDownLatch(1);
    private volatile Function<MacAddress, Optional<Node>> beforeLoad;
    private volatile java.util.function.LongSupplier versionNow;
    private List<NodeEvent> pending = new ArrayList<>();
    private volatile Throwable failure;
    // guarded by this: node id -> version of the last change applied to it, for the nodes held; the load's floor
    private final Map<Long, Long> versions = new java.util.HashMap<>();
    // guarded by this: deleted node id -> the deletion's version, the newest TOMBSTONES; then the forgotten floor
    private final Map<Long, Long> tombstones = new java.util.LinkedHashMap<>();
    private long forgotten;
    private long floor;
    private long applied;
    private long stale;

    /** An index of these nodes, complete at once, as of version 0 (no change published yet). */
    public NodeDirectory(Collection<Node> initial) {
        this(mac -> Optional.empty(), () -> 0);
        load(initial, 0);
    }

    private NodeDirectory(Function<MacAddress, Optional<Node>> beforeLoad, java.util.function.LongSupplier versionNow) {
        this.beforeLoad = beforeLoad;
        this.versionNow = versionNow;
    }

    /**
     * An index filled later by {@link #load(java.util.function.Supplier)}; until then {@code byMacInStore}
     * answers {@link #byMac}. {@code versionNow}: the last committed change's version ({@link NodeEvents#version()}).
     */
    public static NodeDirectory deferred(
            Function<MacAddress, Optional<Node>> byMacInStore, java.util.function.LongSupplier versionNow) {
        return new NodeDirectory(byMacInStore, versionNow);
    }

    /**
     * Until the load, {@link #byMac} asks {@code byMacInStore} instead of what it asked so far (the start-up
     * snapshot answers until the store is open), and the load takes its floor from {@code versionNow}.
     */
    public void beforeLoadAsk(
            Function<MacAddress, Optional<Node>> byMacInStore, java.util.function.LongSupplier versionNow) {
        this.beforeLoad = byMacInStore;
        this.versionNow = versionNow;
    }

    /** Notes the last committed version, then reads every node with {@code read} and loads them. */
    public void load(java.util.function.Supplier<? extends Collection<Node>> read) {
        long version = versionNow.getAsLong();
        load(read.get(), version);
    }

    /**
     * Fills the index (once) with {@code nodes}, which hold every change up to {@code version}, then applies the
     * events that arrived meanwhile (those up to {@code version} are in the nodes already).
     */
    public void load(Collection<Node> nodes, long version) {
        synchronized (this) {
            if (pending == null) {
                throw new IllegalStateException("the node directory is loaded already");
            }
            floor = version;
            applied = version;
            nodes.forEach(this::index);
            pending.forEach(this::apply);
            pending = null;
        }
        loaded.countDown();
    }

    /** Every node and the version they are current to (the last change applied), taken together. */
    public record Snapshot(List<Node> nodes, long version) {}

    /** Every node, with the version of the last change applied; waits for the load. */
    public Snapshot snapshot() {
        awaitLoad();
        synchronized (this) {
            return new Snapshot(List.copyOf(byId.values()), applied);
        }
    }

    /** Events ignored because this index had that node's change already (or a newer one). */
    public synchronized long staleEvents() {
        return stale;
    }

    /** The load failed: everything waiting for it fails with {@code cause}, at once. */
    public void failed(Throwable cause) {
        failure = cause;
        loaded.countDown();
    }

    public boolean isLoaded() {
        return loaded.getCount() == 0;
    }

    public Optional<Node> byMac(MacAddress mac) {
        if (!isLoaded() || failure != null) {
            return beforeLoad.apply(mac);
        }
        return Optional.ofNullable(byMac.get(mac));
    }

    /** The node holding this IPv4 address on any network. */
    public Optional<Node> byIpv4(dev.anvil.core.net.Ipv4Address ip) {
        awaitLoad();
        return Optional.ofNullable(byIpv4.get(ip));
    }

    /**
     * The node whose derived IPv6 address {@code a} is: the served network (of {@code networks}) whose /64 holds it,
     * and a node that holds its derived address there ({@link Node#holdsIpv6On}) whose md5(name) gives {@code a}'s
     * last 64 bits. A pool address, or an address outside every served /64, is no node's.
     */
    public Optional<Node> byIpv6(
            java.net.Inet6Address a,
            dev.anvil.core.net.Addressing addressing,
            Collection<dev.anvil.core.net.Network> networks) {
        awaitLoad();
        Optional<dev.anvil.core.net.Network> net = addressing.containing(networks, a);
        if (net.isEmpty()) {
            return Optional.empty();
        }
        byte[] b = a.getAddress();
        long iid = 0;
        for (int i = 8; i < 16; i++) {
            iid = (iid << 8) | (b[i] & 0xff);
        }
        return Optional.ofNullable(byInterfaceId.get(iid))
                .filter(n -> n.holdsIpv6On(net.get().name()));
    }

    public Optional<Node> byId(long id) {
        awaitLoad();
        return Optional.ofNullable(byId.get(id));
    }

    /** Every node once. */
    public java.util.Collection<Node> all() {
        awaitLoad();
        return java.util.List.copyOf(byId.values());
    }

    public int size() {
        awaitLoad();
        return byMac.size();
    }

    @Override
    public void accept(NodeEvent e) {
        if (!isLoaded()) {
            synchronized (this) {
                if (pending != null) {
                    pending.add(e);
                    return;
                }
            }
        }
        apply(e);
    }

    private synchronized void apply(NodeEvent e) {
        long id = e.node().id();
        if (e.version() <= floor || e.version() <= lastVersion(id)) {
            stale++;
            return;
        }
        Node held = byId.get(id); // what this index has, which is what the change replaces
        if (held != null) {
            held.macs().forEach(m -> byMac.remove(m, held));
            held.addresses().forEach(a -> byIpv4.remove(a.ipv4(), held));
            byInterfaceId.remove(dev.anvil.core.net.InterfaceId.of(held.name()), held);
            byId.remove(id, held);
        }
        e.after().ifPresent(this::index);
        if (e.after().isPresent()) {
            versions.put(id, e.version());
            tombstones.remove(id);
        } else {
            versions.remove(id);
            tombstones.remove(id); // re-inserted last: the map's order is the order of deletion
            tombstones.put(id, e.version());
            if (tombstones.size() > TOMBSTONES) {
                var oldest = tombstones.entrySet().iterator();
                forgotten = Math.max(forgotten, oldest.next().getValue());
                oldest.remove();
            }
        }
        applied = Math.max(applied, e.version());
    }

    /** The version of the last change applied to node {@code id}, as far as this index remembers it. */
    private long lastVersion(long id) {
        Long v = versions.get(id);
        if (v != null) {
            return v;
        }
        Long deleted = tombstones.get(id);
        if (deleted != null) {
            return deleted;
        }
        return byId.containsKey(id) ? 0 : forgotten; // held since the load (the floor covers it), or unknown
    }

    /** How many node versions this index keeps (held nodes changed since the load, and remembered deletions). */
    synchronized int rememberedVersions() {
        return versions.size() + tombstones.size();
    }

    private void awaitLoad() {
        try {
            if (!loaded.await(LOAD_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the node directory did not load within " + LOAD_WAIT_SECONDS + " s");
            }
            if (failure != null) {
                throw new IllegalStateException("the nodes could not be loaded: " + failure.getMessage(), failure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the node directory loads", e);
        }
    }

    private void index(Node n) {
        byId.put(n.id(), n);
        n.macs().forEach(m -> byMac.put(m, n));
        n.addresses().forEach(a -> byIpv4.put(a.ipv4(), n));
        byInterfaceId.put(dev.anvil.core.net.InterfaceId.of(n.name()), n);
    }
}
