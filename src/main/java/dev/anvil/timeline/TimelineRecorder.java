package dev.anvil.timeline;

import dev.anvil.config.TimelineConfig;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.timeline.Timeline;
import dev.anvil.core.timeline.TimelineEvent;
import dev.anvil.core.timeline.TimelineEvent.Source;
import dev.anvil.lifecycle.LogThrottle;
import dev.anvil.lifecycle.Service;
import dev.anvil.store.TimelineStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the boot timeline: {@link #record} stamps an event with the clock and offers it to a bounded queue (never
 * blocking: when the queue is full the event is dropped and counted, so a packet flood grows neither memory nor a
 * listener's latency); one writer thread takes what has queued up (at most {@link #BATCH} at a time), finds each
 * event's node (by id; else by MAC in the node directory; else by IPv4 address, the directory's reservations then
 * the DHCP lease's MAC; else by IPv6 address, the node whose derived address it is), and stores the batch in one
 * transaction, which also trims each node to {@code timeline.eventsPerNode}. An event for no node is discarded
 * (counted as {@code unmatched}). As a node event subscriber it adds the lifecycle's own entries: created, state and
 * boot environment changes.
 *
 * <p>{@link #close()} lets the writer drain the queue for at most the stop wait, then stops it and logs what was
 * left unwritten.
 */
public final class TimelineRecorder implements Timeline, Service, Consumer<NodeEvent> {
    private static final Logger log = LoggerFactory.getLogger(TimelineRecorder.class);
    /** The most events stored in one transaction. */
    static final int BATCH = 512;
    /** What {@link #close()} queues to wake an idle writer; never stored. */
    private static final Pending WAKE = new Pending(0, null, null, null, null);

    private final TimelineStore store;
    private final NodeDirectory nodes;
    private final Function<Ipv4Address, Optional<MacAddress>> leaseHolder;
    private final Function<java.net.Inet6Address, Optional<Node>> ipv6Holder;
    private final Clock clock;
    private final int perNode;
    private final Duration stopWait;
    private final ArrayBlockingQueue<Pending> queue;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder stored = new LongAdder();
    private final LongAdder unmatched = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LogThrottle failures = new LogThrottle(Duration.ofSeconds(30));
    private volatile State state = State.NEW;
    private volatile boolean stopping;
    private Thread writer;

    /** An event as reported, before its node is known. */
    private record Pending(
            long nodeId, MacAddress mac, Ipv4Address address, java.net.Inet6Address address6, TimelineEvent event) {}

    /**
     * @param leaseHolder the MAC holding a DHCP lease on an address (asked on the writer thread only)
     * @param ipv6Holder the node whose derived IPv6 address an address is (asked on the writer thread only)
     * @param stopWait how long {@link #close()} lets the writer drain the queue
     */
    public TimelineRecorder(
            TimelineStore store,
            TimelineConfig config,
            NodeDirectory nodes,
            Function<Ipv4Address, Optional<MacAddress>> leaseHolder,
            Function<java.net.Inet6Address, Optional<Node>> ipv6Holder,
            Clock clock,
            Duration stopWait) {
        this.store = store;
        this.nodes = nodes;
        this.leaseHolder = leaseHolder;
        this.ipv6Holder = ipv6Holder;
        this.clock = clock;
        this.perNode = config.eventsPerNode();
        this.queue = new ArrayBlockingQueue<>(config.queue());
        this.stopWait = stopWait;
    }

    @Override
    public void record(long nodeId, MacAddress mac, Ipv4Address address, Source source, String event, String detail) {
        if (state == State.STOPPED) {
            dropped.increment(); // nothing writes any more
            return;
        }
        TimelineEvent e = new TimelineEvent(
                clock.instant(), source, event, Optional.ofNullable(mac), Optional.ofNullable(address), detail);
        if (!queue.offer(new Pending(nodeId, mac, address, null, e))) {
            dropped.increment();
        }
    }

    /** An IPv6 client's event: the address goes into the detail (the event's address field is IPv4). */
    @Override
    public void forAddress(java.net.Inet6Address address, Source source, String event, String detail) {
        if (state == State.STOPPED) {
            dropped.increment();
            return;
        }
        String from = "from=" + dev.anvil.core.net.ClientAddress.format(address);
        TimelineEvent e = new TimelineEvent(
                clock.instant(),
                source,
                event,
                Optional.empty(),
                Optional.empty(),
                detail == null ? from : detail + " " + from);
        if (!queue.offer(new Pending(0, null, null, address, e))) {
            dropped.increment();
        }
    }

    /**
     * Node events: creation, state and boot environment changes become lifecycle entries. Another instance's
     * change ({@link NodeEvent#remote()}) is on the shared timeline already: that instance recorded it.
     */
    @Override
    public void accept(NodeEvent e) {
        if (e.kind() == NodeEvent.Kind.DELETED || e.after().isEmpty() || e.remote()) {
            return; // its timeline goes with it; or the instance that made the change recorded it
        }
        Node n = e.after().get();
        if (e.before().isEmpty()) {
            forNode(
                    n.id(),
                    Source.LIFECYCLE,
                    "created",
                    "state " + n.state().wireName() + ", boot environment " + n.bootEnv());
            return;
        }
        Node b = e.before().get();
        if (b.state() != n.state()) {
            forNode(
                    n.id(),
                    Source.LIFECYCLE,
                    "state",
                    b.state().wireName() + " -> " + n.state().wireName());
        }
        if (!b.bootEnv().equals(n.bootEnv())) {
            forNode(n.id(), Source.LIFECYCLE, "boot environment", b.bootEnv() + " -> " + n.bootEnv());
        }
    }

    /** Events dropped because the queue was full (or the recorder stopped), since the start. */
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public String name() {
        return "timeline";
    }

    @Override
    public synchronized void start() {
        if (state == State.RUNNING) {
            return;
        }
        writer = new Thread(this::run, "anvil-timeline");
        writer.setDaemon(true);
        state = State.RUNNING;
        writer.start();
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stored", stored.sum());
        m.put("dropped", dropped.sum());
        m.put("unmatched", unmatched.sum());
        m.put("failed", failed.sum());
        m.put("batches", batches.sum());
        m.put("queued", queue.size());
        return m;
    }

    /**
     * The writer: sleeps until an event is queued (or {@link #close()} wakes it with {@link #WAKE}), never on a
     * timer (a periodic wake-up is a preemption of whatever shares the core, the DNS event loop's p99 included);
     * once stopping, it returns when the queue is empty.
     */
    private void run() {
        List<Pending> batch = new ArrayList<>(BATCH);
        try {
            while (true) {
                if (stopping && queue.isEmpty()) {
                    return;
                }
                // No timeout needed: close() queues WAKE, and when the queue was too full for it this loop is busy
                // and sees the stop at its top once the queue is empty.
                Pending first = queue.take();
                if (first == WAKE) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                batch.removeIf(p -> p == WAKE);
                write(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close() gave up waiting
        }
    }

    private void write(List<Pending> batch) {
        List<TimelineStore.Entry> entries = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            long node;
            try {
                node = nodeOf(p);
            } catch (RuntimeException e) {
                node = 0; // the store cannot answer a lookup now: as unmatched
            }
            if (node > 0) {
                entries.add(new TimelineStore.Entry(node, p.event()));
            } else {
                unmatched.increment();
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        try {
            int n = store.append(entries, perNode);
            stored.add(n);
            unmatched.add(entries.size() - n); // deleted meanwhile
            batches.increment();
        } catch (RuntimeException e) {
            failed.add(entries.size());
            long quiet = failures.permit(System.nanoTime());
            if (quiet >= 0) {
                log.warn(
                        "timeline: cannot store {} events: {} ({} more failures since the last line)",
                        entries.size(),
                        e.getMessage(),
                        quiet);
            }
        }
    }

    /** The node an event concerns, or 0. */
    private long nodeOf(Pending p) {
        if (p.nodeId() > 0) {
            return p.nodeId();
        }
        if (p.mac() != null) {
            Optional<Node> n = nodes.byMac(p.mac());
            if (n.isPresent()) {
                return n.get().id();
            }
        }
        if (p.address() != null) {
            Optional<Node> n = nodes.byIpv4(p.address())
                    .or(() -> leaseHolder.apply(p.address()).flatMap(nodes::byMac));
            if (n.isPresent()) {
                return n.get().id();
            }
        }
        if (p.address6() != null) {
            return ipv6Holder.apply(p.address6()).map(Node::id).orElse(0L);
        }
        return 0;
    }

    /** Lets the writer drain the queue for at most the stop wait, then stops it; logs what was left. */
    @Override
    public void close() {
        Thread w;
        synchronized (this) {
            if (state != State.RUNNING) {
                state = State.STOPPED;
                return;
            }
            state = State.STOPPING;
            stopping = true;
            w = writer;
        }
        // Wakes an idle writer at once; when the queue is full the writer is busy and sees the stop after its batch.
        queue.offer(WAKE);
        long t0 = System.nanoTime();
        try {
            w.join(stopWait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (w.isAlive()) {
            w.interrupt();
        }
        queue.remove(WAKE);
        int left = queue.size();
        queue.clear();
        dropped.add(left);
        state = State.STOPPED;
        if (left > 0) {
            log.warn(
                    "timeline stopped after {} ms: {} events stored, {} left unwritten (stop wait {} ms)",
                    (System.nanoTime() - t0) / 1_000_000,
                    stored.sum(),
                    left,
                    stopWait.toMillis());
        } else {
            log.info(
                    "timeline stopped: {} events stored, {} dropped, {} for no node",
                    stored.sum(),
                    dropped.sum(),
                    unmatched.sum());
        }
    }
}
