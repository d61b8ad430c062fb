package dev.anvil.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.auth.ApiToken;
import dev.anvil.core.auth.Role;
import dev.anvil.core.dns.DnsRecord;
import dev.anvil.core.lease.LeaseHolds;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkDraft;
import dev.anvil.core.node.HistoryEntry;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeState;
import dev.anvil.core.node.Transition;
import dev.anvil.core.timeline.TimelineEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link Store} backend must do; each backend's test extends this. */
public abstract class StoreContract {
    protected static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");
    protected static final Network ADMIN = new NetworkDraft(
                    "admin",
                    1,
                    "10.10.0.0/22",
                    "10.10.0.10-10.10.3.250",
                    "10.10.3.251-10.10.3.254",
                    "10.10.0.1",
                    "cluster.test",
                    "auto",
                    null,
                    null)
            .validate();
    protected static final Network TINY = new NetworkDraft(
                    "tiny",
                    2,
                    "10.20.0.0/29",
                    "10.20.0.1-10.20.0.3",
                    null,
                    "10.20.0.2",
                    "tiny.test",
                    "none",
                    null,
                    null)
            .validate();

    @TempDir
    protected Path dir;

    protected Store store;

    protected abstract Store open(Path dir);

    /**
     * A second store object on the same database, as another anvild process would open it; empty where the
     * backend has one per database (H2: one process holds the file), and the tests use {@link #store} twice.
     */
    protected Optional<Store> openPeer(Path dir) {
        return Optional.empty();
    }

    private final List<Store> peers = new ArrayList<>();

    /** The store as another instance sees it (closed after the test). */
    protected Store peer() {
        Optional<Store> p = openPeer(dir);
        p.ifPresent(peers::add);
        return p.orElse(store);
    }

    @BeforeEach
    void setUp() {
        store = open(dir);
        store.networks().put(ADMIN);
        store.networks().put(TINY);
    }

    @AfterEach
    void tearDown() {
        peers.forEach(Store::close);
        store.close();
    }

    protected static NodeDraft draft(String name, String mac, Map<String, Optional<Ipv4Address>> addrs) {
        return new NodeDraft(
                name,
                List.of(MacAddress.parse(mac)),
                addrs,
                "sledgehammer",
                Optional.empty(),
                true,
                NodeState.DISCOVERING);
    }

    protected static NodeDraft draft(String name, String mac) {
        return draft(name, mac, Map.of("admin", Optional.empty()));
    }

    @Test
    void createAllocatesLowestFreeAddressAndReadsBack() {
        Node a = store.nodes().create(draft("a.cluster.test", "52:54:00:00:00:01"), T0);
        Node b = store.nodes().create(draft("b.cluster.test", "52:54:00:00:00:02"), T0);
        assertEquals("10.10.0.10", a.addressOn("admin").orElseThrow().ipv4().toString());
        assertEquals("10.10.0.11", b.addressOn("admin").orElseThrow().ipv4().toString());
        assertEquals(a, store.nodes().get("a.cluster.test").orElseThrow());
        assertEquals(
                b,
                store.nodes().findByMac(MacAddress.parse("52:54:00:00:00:02")).orElseThrow());
        assertEquals(T0, a.createdAt());
        store.nodes().delete("a.cluster.test");
        Node c = store.nodes().create(draft("c.cluster.test", "52:54:00:00:00:03"), T0);
        assertEquals("10.10.0.10", c.addressOn("admin").orElseThrow().ipv4().toString(), "freed address reused");
    }

    @Test
    void pinnedAddressesAreCheckedAndTheRouterIsSkipped() {
        Node p = store.nodes()
                .create(
                        draft(
                                "p.cluster.test",
                                "52:54:00:00:00:01",
                                Map.of("admin", Optional.of(Ipv4Address.parse("10.10.2.7")))),
                        T0);
        assertEquals("10.10.2.7", p.addressOn("admin").orElseThrow().ipv4().toString());
        ConflictException taken = assertThrows(
                ConflictException.class,
                () -> store.nodes()
                        .create(
                                draft(
                                        "q.cluster.test",
                                        "52:54:00:00:00:02",
                                        Map.of("admin", Optional.of(Ipv4Address.parse("10.10.2.7")))),
                                T0));
        assertEquals("addresses.admin", taken.field());
        InvalidInputException inPool = assertThrows(
                InvalidInputException.class,
                () -> store.nodes()
                        .create(
                                draft(
                                        "q.cluster.test",
                                        "52:54:00:00:00:02",
                                        Map.of("admin", Optional.of(Ipv4Address.parse("10.10.3.252")))),
                                T0));
        assertEquals("addresses.admin", inPool.first().field());
        assertThrows(
                InvalidInputException.class,
                () -> store.nodes()
                        .create(draft("q.cluster.test", "52:54:00:00:00:02", Map.of("nonet", Optional.empty())), T0));
        // tiny: static .1-.3 with router .2: two nodes fit, the third finds it exhausted.
        store.nodes().create(draft("t1.tiny.test", "52:54:00:00:01:01", Map.of("tiny", Optional.empty())), T0);
        Node t2 =
                store.nodes().create(draft("t2.tiny.test", "52:54:00:00:01:02", Map.of("tiny", Optional.empty())), T0);
        assertEquals("10.20.0.3", t2.addressOn("tiny").orElseThrow().ipv4().toString());
        ConflictException full = assertThrows(
                ConflictException.class,
                () -> store.nodes()
                        .create(draft("t3.tiny.test", "52:54:00:00:01:03", Map.of("tiny", Optional.empty())), T0));
        assertTrue(full.getMessage().contains("no free address"), full.getMessage());
        assertTrue(store.nodes().get("t3.tiny.test").isEmpty(), "nothing half-written");
        assertTrue(
                store.nodes().findByMac(MacAddress.parse("52:54:00:00:01:03")).isEmpty());
    }

    @Test
    void anAddressAnotherMacsLiveLeaseHoldsIsNeverReserved() {
        // 10.10.0.10 and .12 are held by live leases of a machine that is not the node (e.g. a deleted node's).
        MacAddress other = MacAddress.parse("52:54:00:00:09:09");
        dev.anvil.core.lease.LeaseHolds holds = (net, ip, owner) -> net.equals("admin")
                        && !owner.contains(other)
                        && (ip.toString().equals("10.10.0.10") || ip.toString().equals("10.10.0.12"))
                ? Optional.of(new dev.anvil.core.lease.Lease(
                        ip, other, net, T0.plusSeconds(600), dev.anvil.core.lease.Lease.State.ACTIVE))
                : Optional.empty();
        Node a = store.nodes().create(draft("a.cluster.test", "52:54:00:00:00:01"), T0, holds);
        Node b = store.nodes().create(draft("b.cluster.test", "52:54:00:00:00:02"), T0, holds);
        assertEquals("10.10.0.11", a.addressOn("admin").orElseThrow().ipv4().toString(), "the leased .10 passed over");
        assertEquals("10.10.0.13", b.addressOn("admin").orElseThrow().ipv4().toString(), "and .12 too");
        ConflictException leased = assertThrows(
                ConflictException.class,
                () -> store.nodes()
                        .create(
                                draft(
                                        "c.cluster.test",
                                        "52:54:00:00:00:03",
                                        Map.of("admin", Optional.of(Ipv4Address.parse("10.10.0.12")))),
                                T0,
                                holds));
        assertEquals("addresses.admin", leased.field());
        assertTrue(leased.getMessage().contains("leased to 52:54:00:00:09:09"), leased.getMessage());
        assertTrue(store.nodes().get("c.cluster.test").isEmpty(), "nothing half-written");
        // The lease's own machine may have it reserved.
        Node d = store.nodes()
                .create(
                        draft(
                                "d.cluster.test",
                                "52:54:00:00:09:09",
                                Map.of("admin", Optional.of(Ipv4Address.parse("10.10.0.12")))),
                        T0,
                        holds);
        assertEquals("10.10.0.12", d.addressOn("admin").orElseThrow().ipv4().toString());
    }

    @Test
    void duplicatesConflictAndLeaveNothingBehind() {
        store.nodes().create(draft("a.cluster.test", "52:54:00:00:00:01"), T0);
        assertEquals(
                "name",
                assertThrows(
                                ConflictException.class,
                                () -> store.nodes().create(draft("a.cluster.test", "52:54:00:00:00:09"), T0))
                        .field());
        assertEquals(
                "macs",
                assertThrows(
                                ConflictException.class,
                                () -> store.nodes().create(draft("b.cluster.test", "52:54:00:00:00:01"), T0))
                        .field());
        assertEquals(1, store.nodes().list(NodeQuery.all()).size());
        assertTrue(
                store.nodes().findByMac(MacAddress.parse("52:54:00:00:00:09")).isEmpty());
    }

    @Test
    void updateChangesFieldsAndMacsAtomically() {
        store.nodes().create(draft("a.cluster.test", "52:54:00:00:00:01"), T0);
        store.nodes().create(draft("b.cluster.test", "52:54:00:00:00:02"), T0);
        Instant t1 = T0.plusSeconds(60);
        NodeStore.Updated u = store.nodes()
                .update(
                        "a.cluster.test",
                        new NodeChange(
                                Optional.of("z.cluster.test"),
                                Optional.of(List.of(
                                        MacAddress.parse("52:54:00:00:00:03"), MacAddress.parse("52:54:00:00:00:04"))),
                                Optional.of("local"),
                                Optional.of(Optional.of("ubuntu-22.04")),
                                Optional.of(false),
                                Optional.of(true),
                                Optional.of(NodeState.INSTALLED)),
                        t1);
        assertEquals("a.cluster.test", u.before().name());
        Node z = u.after();
        assertEquals("z.cluster.test", z.name());
        assertEquals(List.of(MacAddress.parse("52:54:00:00:00:03"), MacAddress.parse("52:54:00:00:00:04")), z.macs());
        assertEquals("local", z.bootEnv());
        assertEquals(Optional.of("ubuntu-22.04"), z.targetOs());
        assertFalse(z.available());
        assertTrue(z.alive());
        assertEquals(NodeState.INSTALLED, z.state());
        assertEquals(t1, z.updatedAt());
        assertEquals(T0, z.createdAt());
        assertTrue(
                store.nodes().findByMac(MacAddress.parse("52:54:00:00:00:01")).isEmpty());
        assertThrows(
                ConflictException.class,
                () -> store.nodes()
                        .update(
                                "z.cluster.test",
                                NodeChange.none()
                                        .withBootEnv("sledgehammer")
                                        .withState(NodeState.DISCOVERING)
                                        .withMacs(List.of(MacAddress.parse("52:54:00:00:00:02"))),
                                t1));
        assertEquals("local", store.nodes().get("z.cluster.test").orElseThrow().bootEnv(), "rolled back");
        assertThrows(NotFoundException.class, () -> store.nodes().update("nope", NodeChange.none(), t1));
        assertThrows(NotFoundException.class, () -> store.nodes().delete("nope"));
    }

    @Test
    void listFiltersAndCounts() {
        store.nodes().create(draft("a.cluster.test", "52:54:00:00:00:01"), T0);
        store.nodes().create(draft("b.cluster.test", "52:54:00:00:00:02"), T0);
        store.nodes()
                .update("b.cluster.test", NodeChange.none().withBootEnv("local").withState(NodeState.READY), T0);
        assertEquals(
                List.of("b.cluster.test"),
                store.nodes().list(new NodeQuery(Optional.of(NodeState.READY), Optional.empty())).stream()
                        .map(Node::name)
                        .toList());
        assertEquals(
                List.of("a.cluster.test"),
                store.nodes().list(new NodeQuery(Optional.empty(), Optional.of("sledgehammer"))).stream()
                        .map(Node::name)
                        .toList());
        assertEquals(
                Map.of(NodeState.DISCOVERING, 1L, NodeState.READY, 1L),
                store.nodes().countByState());
    }

    @Test
    void networksCreatePutDelete() {
        assertEquals(
                List.of("admin", "tiny"),
                store.networks().list().stream().map(Network::name).toList());
        assertEquals(ADMIN, store.networks().get("admin").orElseThrow());
        Network other = new NetworkDraft(
                        "other", 3, "10.30.0.0/24", "10.30.0.10-10.30.0.20", null, null, "o.test", "none", null, null)
                .validate();
        store.networks().create(other);
        assertEquals(
                "name",
                assertThrows(ConflictException.class, () -> store.networks().create(other))
                        .field());
        Network sameId = new NetworkDraft(
                        "other2", 3, "10.31.0.0/24", "10.31.0.10-10.31.0.20", null, null, "o.test", "none", null, null)
                .validate();
        assertEquals(
                "id",
                assertThrows(ConflictException.class, () -> store.networks().create(sameId))
                        .field());
        Network inside = new NetworkDraft(
                        "inside",
                        4,
                        "10.30.0.128/25",
                        "10.30.0.130-10.30.0.140",
                        null,
                        null,
                        "i.test",
                        "none",
                        null,
                        null)
                .validate();
        assertEquals(
                "cidr",
                assertThrows(ConflictException.class, () -> store.networks().create(inside))
                        .field());
        assertEquals(
                "cidr",
                assertThrows(ConflictException.class, () -> store.networks().put(inside))
                        .field());
        Network grown = new NetworkDraft(
                        "tiny",
                        2,
                        "10.0.0.0/8",
                        "10.20.0.1-10.20.0.3",
                        null,
                        "10.20.0.2",
                        "tiny.test",
                        "none",
                        null,
                        null)
                .validate();
        assertEquals(
                "cidr",
                assertThrows(ConflictException.class, () -> store.networks().put(grown))
                        .field(),
                "tiny grown over admin and other");
        assertEquals(
                List.of("admin", "other", "tiny"),
                store.networks().list().stream().map(Network::name).sorted().toList());
        store.nodes().create(draft("a.o.test", "52:54:00:00:00:01", Map.of("other", Optional.empty())), T0);
        assertThrows(ConflictException.class, () -> store.networks().delete("other"));
        Network shrunk = new NetworkDraft(
                        "other",
                        3,
                        "10.30.0.0/24",
                        "10.30.0.10-10.30.0.20",
                        "10.30.0.5-10.30.0.9",
                        null,
                        "o.test",
                        "none",
                        null,
                        null)
                .validate();
        store.networks().put(shrunk);
        Network clash = new NetworkDraft(
                        "other",
                        3,
                        "10.30.0.0/24",
                        "10.30.0.11-10.30.0.20",
                        "10.30.0.5-10.30.0.10",
                        null,
                        "o.test",
                        "none",
                        null,
                        null)
                .validate();
        assertThrows(ConflictException.class, () -> store.networks().put(clash), "node holds .10, now in the pool");
        store.nodes().delete("a.o.test");
        store.networks().delete("other");
        assertThrows(NotFoundException.class, () -> store.networks().delete("other"));
    }

    @Test
    void metaFirstWriterWins() {
        assertEquals("one", store.meta().getOrInit("k", () -> "one"));
        assertEquals("one", store.meta().getOrInit("k", () -> "two"));
        assertEquals(Optional.of("one"), store.meta().get("k"));
    }

    @Test
    void survivesReopen() {
        Node a = store.nodes().create(draft("a.cluster.test", "52:54:00:00:00:01"), T0);
        store.meta().getOrInit("k", () -> "v");
        store.close();
        store = open(dir);
        assertEquals(a, store.nodes().get("a.cluster.test").orElseThrow());
        assertEquals(Optional.of("v"), store.meta().get("k"));
        assertTrue(store.health().ok());
    }

    @Test
    void concurrentCreatesNeverShareAnAddress() throws Exception {
        int threads = 8;
        int perThread = 125;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Node>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                futures.add(pool.submit(() -> {
                    List<Node> out = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        String mac = String.format("52:54:00:%02x:%02x:%02x", tt, i >> 8, i & 0xff);
                        out.add(store.nodes().create(draft("n" + tt + "-" + i + ".cluster.test", mac), T0));
                    }
                    return out;
                }));
            }
            Set<Ipv4Address> seen = new HashSet<>();
            for (Future<List<Node>> f : futures) {
                for (Node n : f.get()) {
                    assertTrue(seen.add(n.addressOn("admin").orElseThrow().ipv4()), "duplicate " + n);
                }
            }
            assertEquals(threads * perThread, seen.size());
            assertEquals(
                    threads * perThread, store.nodes().list(NodeQuery.all()).size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tasksWithoutANodeAreLeftToTheirOwnRunner() {
        Node n = store.nodes().create(draft("a.cluster.test", "52:54:00:00:00:01"), T0);
        TaskStore tasks = store.tasks();
        TaskStore.Task onNode = tasks.enqueue(n.id(), "reboot", "", 3, T0, T0);
        TaskStore.Task running = tasks.enqueue(TaskStore.Task.NO_NODE, "import", "os: a\nsource: /x", 1, T0, T0);
        TaskStore.Task queued = tasks.enqueue(TaskStore.Task.NO_NODE, "import", "os: b\nsource: /y", 1, T0, T0);
        assertEquals(TaskStore.Task.NO_NODE, queued.nodeId());
        assertEquals(
                List.of(onNode.id()),
                tasks.due(T0, 0, 10).stream().map(TaskStore.Task::id).toList(),
                "the node queue never sees them");
        assertEquals(3, tasks.list(Optional.empty(), 10).size());
        assertTrue(tasks.claim(running.id(), "a1", T0));
        tasks.progress(running.id(), "a1", new TaskStore.Progress(3, 300));
        tasks.progress(queued.id(), "a1", new TaskStore.Progress(9, 9));
        assertEquals(
                Optional.of(new TaskStore.Progress(3, 300)),
                tasks.get(running.id()).orElseThrow().progress());
        assertEquals(Optional.empty(), tasks.get(queued.id()).orElseThrow().progress(), "only a running task");
        assertEquals(0, tasks.recover(T0.plusSeconds(1), T0.plusSeconds(2)), "the node queue's recovery leaves them");
        assertEquals(
                TaskStore.TaskState.RUNNING,
                tasks.get(running.id()).orElseThrow().state());

        List<TaskStore.Task> cut = tasks.abandon("import", "a1", "interrupted by a restart", T0.plusSeconds(3));
        assertEquals(
                List.of(running.id(), queued.id()),
                cut.stream().map(TaskStore.Task::id).toList());
        TaskStore.Task failed = tasks.get(running.id()).orElseThrow();
        assertEquals(TaskStore.TaskState.FAILED, failed.state());
        assertEquals(Optional.of("interrupted by a restart"), failed.error());
        assertEquals(Optional.of(T0.plusSeconds(3)), failed.finishedAt());
        assertEquals(Optional.of(new TaskStore.Progress(3, 300)), failed.progress(), "how far it came is kept");
        assertEquals(
                TaskStore.TaskState.FAILED, tasks.get(queued.id()).orElseThrow().state());
        assertEquals(
                TaskStore.TaskState.QUEUED, tasks.get(onNode.id()).orElseThrow().state());
        assertEquals(List.of(), tasks.abandon("import", "a1", "again", T0.plusSeconds(4)));
    }

    @Test
    void timelineKeepsTheNewestPerNodeOldestFirstAndGoesWithTheNode() {
        Node a = store.nodes().create(draft("ta.cluster.test", "52:54:00:00:09:01"), T0);
        Node b = store.nodes().create(draft("tb.cluster.test", "52:54:00:00:09:02"), T0);
        List<dev.anvil.store.TimelineStore.Entry> batch = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            batch.add(new dev.anvil.store.TimelineStore.Entry(a.id(), event(i, "a" + i)));
        }
        batch.add(new dev.anvil.store.TimelineStore.Entry(b.id(), event(0, "b0")));
        batch.add(new dev.anvil.store.TimelineStore.Entry(999_999, event(0, "nobody")));
        assertEquals(8, store.timeline().append(batch, 5), "the entry of a node that does not exist is skipped");
        List<dev.anvil.core.timeline.TimelineEvent> got = store.timeline().latest(a.id(), 100);
        assertEquals(
                List.of("a2", "a3", "a4", "a5", "a6"),
                got.stream().map(e -> e.event()).toList());
        assertEquals(event(2, "a2"), got.get(0), "every field comes back as stored");
        assertEquals(
                List.of("a5", "a6"),
                store.timeline().latest(a.id(), 2).stream().map(e -> e.event()).toList());
        store.timeline().append(List.of(new dev.anvil.store.TimelineStore.Entry(a.id(), event(9, "a9"))), 5);
        assertEquals(
                List.of("a3", "a4", "a5", "a6", "a9"),
                store.timeline().latest(a.id(), 100).stream()
                        .map(e -> e.event())
                        .toList(),
                "the oldest beyond the cap goes in the batch that passes it");
        store.nodes().delete("ta.cluster.test");
        assertEquals(List.of(), store.timeline().latest(a.id(), 100));
        assertEquals(1, store.timeline().latest(b.id(), 100).size());
    }

    private static dev.anvil.core.timeline.TimelineEvent event(int second, String name) {
        return new dev.anvil.core.timeline.TimelineEvent(
                T0.plusSeconds(second),
                dev.anvil.core.timeline.TimelineEvent.Source.TFTP,
                name,
                second % 2 == 0 ? Optional.of(MacAddress.parse("52:54:00:00:09:01")) : Optional.empty(),
                second % 2 == 0 ? Optional.of(Ipv4Address.parse("10.10.0.50")) : Optional.empty(),
                "file=pxelinux.0 bytes=" + second);
    }

    @Test
    void tasksRunTheirLifeAndKeepTheirLog() {
        Node n = store.nodes().create(draft("t.cluster.test", "52:54:00:00:20:01"), T0);
        Instant t1 = T0.plusMillis(1_250);
        TaskStore.Task queued = store.tasks().enqueue(n.id(), "reboot", "{\"a\":1}", 3, T0, T0);
        TaskStore.Task later = store.tasks().enqueue(n.id(), "reboot", "{}", 3, t1.plusSeconds(60), T0);
        assertEquals(
                List.of(queued.id()),
                store.tasks().due(t1, 0, 10).stream().map(TaskStore.Task::id).toList());
        assertTrue(store.tasks().claim(queued.id(), "a1", t1));
        assertFalse(store.tasks().claim(queued.id(), "a2", t1), "claimed once");
        String log = "line\n".repeat(5_000); // past any VARCHAR: the log column is a large text
        store.tasks().finish(queued.id(), "a1", TaskStore.TaskState.DONE, log, Optional.empty(), t1);
        TaskStore.Task done = store.tasks().get(queued.id()).orElseThrow();
        assertEquals(TaskStore.TaskState.DONE, done.state());
        assertEquals(log, done.log());
        assertEquals(Optional.of(t1), done.finishedAt());
        assertEquals(1, done.attempts());
        assertEquals(
                List.of(later.id(), queued.id()),
                store.tasks().list(Optional.of(n.id()), 10).stream()
                        .map(TaskStore.Task::id)
                        .toList());
        assertEquals(
                List.of(later.id()),
                store.tasks().list(Optional.empty(), 1).stream()
                        .map(TaskStore.Task::id)
                        .toList());
        assertEquals(
                Map.of(TaskStore.TaskState.DONE, 1L, TaskStore.TaskState.QUEUED, 1L),
                store.tasks().countByState());
    }

    @Test
    void nextDueIsTheEarliestQueuedNodeTaskStillAhead() {
        Node n = store.nodes().create(draft("nd.cluster.test", "52:54:00:00:20:11"), T0);
        TaskStore tasks = store.tasks();
        assertEquals(Optional.empty(), tasks.nextDue(T0), "nothing queued");
        tasks.enqueue(n.id(), "reboot", "", 3, T0, T0); // due now: not ahead
        TaskStore.Task in90 = tasks.enqueue(n.id(), "reboot", "", 3, T0.plusSeconds(90), T0);
        tasks.enqueue(n.id(), "reboot", "", 3, T0.plusSeconds(30), T0);
        tasks.enqueue(TaskStore.Task.NO_NODE, "import", "os: a\nsource: /x", 1, T0.plusSeconds(10), T0);
        assertEquals(Optional.of(T0.plusSeconds(30)), tasks.nextDue(T0), "the node tasks only, the earliest");
        assertEquals(Optional.of(T0.plusSeconds(90)), tasks.nextDue(T0.plusSeconds(30)), "strictly after");
        assertTrue(tasks.claim(in90.id(), "a1", T0));
        assertEquals(Optional.empty(), tasks.nextDue(T0.plusSeconds(30)), "a running task is not due");
    }

    @Test
    void timelineKeepsTheNewestPerNode() {
        Node n = store.nodes().create(draft("tl.cluster.test", "52:54:00:00:21:01"), T0);
        List<TimelineStore.Entry> batch = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            batch.add(new TimelineStore.Entry(
                    n.id(),
                    new TimelineEvent(
                            T0.plusMillis(i),
                            TimelineEvent.Source.DHCP,
                            "discover",
                            Optional.of(MacAddress.parse("52:54:00:00:21:01")),
                            Optional.of(Ipv4Address.parse("10.0.0.9")),
                            "event " + i)));
        }
        batch.add(new TimelineStore.Entry(
                999_999,
                new TimelineEvent(T0, TimelineEvent.Source.TFTP, "read", Optional.empty(), Optional.empty(), "gone")));
        assertEquals(7, store.timeline().append(batch, 5), "the event of a node that is gone is not stored");
        List<TimelineEvent> latest = store.timeline().latest(n.id(), 10);
        assertEquals(
                List.of("event 2", "event 3", "event 4", "event 5", "event 6"),
                latest.stream().map(TimelineEvent::detail).toList(),
                "the newest five, oldest first");
        assertEquals(T0.plusMillis(6), latest.get(4).at());
        assertEquals(Optional.of(Ipv4Address.parse("10.0.0.9")), latest.get(4).address());
    }

    @Test
    void apiTokensByHashNameUniqueRemovable() {
        String sha = "ab".repeat(32);
        ApiToken t = store.apiTokens().add("ci", Role.ADMIN, sha, T0);
        assertEquals(Optional.of(t), store.apiTokens().bySecretSha256(sha));
        assertEquals(Optional.empty(), store.apiTokens().bySecretSha256("cd".repeat(32)));
        ConflictException e = assertThrows(
                ConflictException.class, () -> store.apiTokens().add("ci", Role.ADMIN, "ef".repeat(32), T0));
        assertEquals("name", e.field());
        assertEquals(1, store.apiTokens().count(Role.ADMIN));
        assertEquals(List.of(t), store.apiTokens().list());
        assertTrue(store.apiTokens().remove(t.id()));
        assertFalse(store.apiTokens().remove(t.id()));
        assertEquals(0, store.apiTokens().count(Role.ADMIN));
    }

    @Test
    void dnsRecordsCreateListDelete() {
        DnsRecord a = store.dnsRecords().create(DnsRecord.of("www.cluster.test", "A", "10.0.0.80", 300));
        DnsRecord txt = store.dnsRecords().create(DnsRecord.of("www.cluster.test", "TXT", "hello", null));
        assertThrows(
                ConflictException.class,
                () -> store.dnsRecords().create(DnsRecord.of("www.cluster.test", "A", "10.0.0.80", 60)));
        assertEquals(List.of(a, txt), store.dnsRecords().list());
        assertEquals(Optional.of(txt), store.dnsRecords().get(txt.id()));
        assertEquals(a, store.dnsRecords().delete(a.id()));
        assertEquals(List.of(txt), store.dnsRecords().list());
    }

    @Test
    void upsertsReplaceTheRow() {
        Node n = store.nodes().create(draft("u.cluster.test", "52:54:00:00:22:01"), T0);
        store.installTokens().put(n.id(), new InstallTokenStore.Armed("one", T0.plusSeconds(60)));
        store.installTokens().put(n.id(), new InstallTokenStore.Armed("two", T0.plusSeconds(120)));
        assertEquals(
                Optional.of(new InstallTokenStore.Armed("two", T0.plusSeconds(120))),
                store.installTokens().get(n.id()));
        assertFalse(store.installTokens().consume(n.id(), "one"));
        assertTrue(store.installTokens().consume(n.id(), "two"));
        assertEquals(Optional.empty(), store.installTokens().get(n.id()));
        store.nodes().putInventory(n.id(), "{\"cpus\":1}", T0);
        store.nodes().putInventory(n.id(), "{\"cpus\":2}", T0);
        assertEquals(Optional.of("{\"cpus\":2}"), store.nodes().inventory(n.id()));
    }

    @Test
    void createThenIsOneTransactionCreateInventoryAndTransition() {
        NodeDraft d = new NodeDraft(
                "r.cluster.test",
                List.of(MacAddress.parse("52:54:00:00:24:01")),
                Map.of(),
                "sledgehammer",
                Optional.empty(),
                true,
                NodeState.DISCOVERING,
                "discovery");
        List<NodeState> seenBy = new ArrayList<>();
        NodeStore.Updated u = store.nodes()
                .createThen(
                        d,
                        Optional.of("{\"cpus\":4}"),
                        created -> {
                            seenBy.add(created.state());
                            return new Transition(
                                    NodeChange.none().withState(NodeState.DISCOVERED),
                                    "discover",
                                    "discovery",
                                    Optional.of("registered"));
                        },
                        T0.plusSeconds(1),
                        LeaseHolds.NONE);
        assertEquals(List.of(NodeState.DISCOVERING), seenBy, "the transition is computed from the created node");
        assertEquals(NodeState.DISCOVERING, u.before().state());
        assertEquals(NodeState.DISCOVERED, u.after().state());
        assertEquals(u.before().id(), u.after().id());
        assertEquals(u.after(), store.nodes().get("r.cluster.test").orElseThrow());
        assertEquals(
                Optional.of("{\"cpus\":4}"), store.nodes().inventory(u.after().id()));
        List<HistoryEntry> h = store.nodes().history(u.after().id());
        assertEquals(
                List.of(
                        new HistoryEntry(
                                T0.plusSeconds(1),
                                Optional.empty(),
                                NodeState.DISCOVERING,
                                "create",
                                "discovery",
                                Optional.empty()),
                        new HistoryEntry(
                                T0.plusSeconds(1),
                                Optional.of(NodeState.DISCOVERING),
                                NodeState.DISCOVERED,
                                "discover",
                                "discovery",
                                Optional.of("registered"))),
                h);

        // A refused transition: nothing of it is kept, the MAC stays free.
        NodeDraft refused = new NodeDraft(
                "s.cluster.test",
                List.of(MacAddress.parse("52:54:00:00:24:02")),
                Map.of("admin", Optional.empty()),
                "sledgehammer",
                Optional.empty(),
                true,
                NodeState.DISCOVERING,
                "discovery");
        assertThrows(
                ConflictException.class,
                () -> store.nodes()
                        .createThen(
                                refused,
                                Optional.of("{}"),
                                created -> {
                                    throw new ConflictException("state", "refused");
                                },
                                T0,
                                LeaseHolds.NONE));
        assertEquals(Optional.empty(), store.nodes().get("s.cluster.test"));
        assertEquals(Optional.empty(), store.nodes().findByMac(MacAddress.parse("52:54:00:00:24:02")));
        Node next = store.nodes().create(draft("t.cluster.test", "52:54:00:00:24:02"), T0);
        assertEquals("10.10.0.10", next.addressOn("admin").orElseThrow().ipv4().toString(), "no address was kept");
    }

    @Test
    void transitionReportingStoresTheInventoryWithTheTransitionOrNeither() {
        Node n = store.nodes().create(draft("inv.cluster.test", "52:54:00:00:25:01"), T0);
        store.nodes().putInventory(n.id(), "{\"cpus\":1}", T0);
        NodeStore.Updated u = store.nodes()
                .transitionReporting(
                        "inv.cluster.test",
                        "{\"cpus\":2}",
                        before -> new Transition(
                                NodeChange.none().withState(NodeState.DISCOVERED),
                                "discover",
                                "discovery",
                                Optional.of("registered again")),
                        T0.plusSeconds(1),
                        LeaseHolds.NONE);
        assertEquals(NodeState.DISCOVERED, u.after().state());
        assertEquals(u.after(), store.nodes().get("inv.cluster.test").orElseThrow());
        assertEquals(Optional.of("{\"cpus\":2}"), store.nodes().inventory(n.id()));
        List<HistoryEntry> h = store.nodes().history(n.id());
        assertEquals(2, h.size(), h.toString());
        assertEquals("discover", h.get(1).event());

        // Refused: neither the transition nor the inventory is kept.
        assertThrows(
                ConflictException.class,
                () -> store.nodes()
                        .transitionReporting(
                                "inv.cluster.test",
                                "{\"cpus\":3}",
                                before -> {
                                    throw new ConflictException("state", "refused");
                                },
                                T0.plusSeconds(2),
                                LeaseHolds.NONE));
        assertEquals(Optional.of("{\"cpus\":2}"), store.nodes().inventory(n.id()), "no inventory of a refusal");
        assertEquals(2, store.nodes().history(n.id()).size());
        assertEquals(u.after(), store.nodes().get("inv.cluster.test").orElseThrow());
    }

    @Test
    void aTaskRecordsItsInstanceAndOnlyThatInstanceEndsIt() {
        Node n = store.nodes().create(draft("own.cluster.test", "52:54:00:00:23:01"), T0);
        TaskStore tasks = store.tasks();
        TaskStore.Task t = tasks.enqueue(n.id(), "reboot", "", 3, T0, T0);
        assertEquals(Optional.empty(), t.instance(), "nobody ran it yet");
        assertTrue(tasks.claim(t.id(), "a1", T0));
        assertEquals(Optional.of("a1"), tasks.get(t.id()).orElseThrow().instance());
        tasks.finish(t.id(), "b1", TaskStore.TaskState.DONE, "b's", Optional.empty(), T0);
        tasks.retry(t.id(), "b1", T0, "b's", "b's");
        tasks.release(t.id(), "b1", "b's");
        assertEquals(
                TaskStore.TaskState.RUNNING, tasks.get(t.id()).orElseThrow().state(), "another instance ends nothing");
        tasks.retry(t.id(), "a1", T0.plusSeconds(5), "a's\n", "exit status 1");
        TaskStore.Task again = tasks.get(t.id()).orElseThrow();
        assertEquals(TaskStore.TaskState.QUEUED, again.state());
        assertEquals(Optional.of("a1"), again.instance(), "the instance of the latest attempt stays");
        assertTrue(tasks.claim(t.id(), "b1", T0.plusSeconds(5)));
        tasks.finish(t.id(), "a1", TaskStore.TaskState.FAILED, "a's", Optional.of("late"), T0.plusSeconds(6));
        tasks.finish(t.id(), "b1", TaskStore.TaskState.DONE, "a's\nb's\n", Optional.empty(), T0.plusSeconds(6));
        TaskStore.Task done = tasks.get(t.id()).orElseThrow();
        assertEquals(TaskStore.TaskState.DONE, done.state(), "a's late end of its old attempt changed nothing");
        assertEquals(Optional.of("b1"), done.instance());
        assertEquals(2, done.attempts());

        // A task on the admin node belongs to its instance from the start: only it abandons it.
        TaskStore.Task mine = tasks.enqueueOwn("a1", "import", "os: a\nsource: /x", T0);
        TaskStore.Task theirs = tasks.enqueueOwn("b1", "import", "os: b\nsource: /y", T0);
        assertEquals(Optional.of("a1"), mine.instance());
        assertEquals(TaskStore.Task.NO_NODE, mine.nodeId());
        assertEquals(
                List.of(mine.id()),
                tasks.abandon("import", "a1", "interrupted by a restart", T0).stream()
                        .map(TaskStore.Task::id)
                        .toList());
        assertEquals(
                TaskStore.TaskState.QUEUED, tasks.get(theirs.id()).orElseThrow().state());
    }

    @Test
    void instancesRegisterBeatAndGo() {
        InstanceStore instances = store.instances();
        assertEquals(Optional.empty(), instances.register("a1", T0));
        instances.beat("a1", T0.plusSeconds(5));
        assertEquals(
                Optional.of(new InstanceStore.Instance("a1", T0, T0.plusSeconds(5))),
                instances.register("a1", T0.plusSeconds(9)),
                "a restart sees its previous row");
        instances.beat("b1", T0.plusSeconds(10)); // a heartbeat after its row was removed registers it again
        assertEquals(
                List.of(
                        new InstanceStore.Instance("a1", T0.plusSeconds(9), T0.plusSeconds(9)),
                        new InstanceStore.Instance("b1", T0.plusSeconds(10), T0.plusSeconds(10))),
                peer().instances().list());
        instances.remove("a1");
        assertEquals(
                List.of("b1"),
                instances.list().stream().map(InstanceStore.Instance::id).toList());
    }

    @Test
    void aSilentPeersTasksAreTakenOverALivePeersAreNot() {
        Node n1 = store.nodes().create(draft("k1.cluster.test", "52:54:00:00:24:01"), T0);
        Node n2 = store.nodes().create(draft("k2.cluster.test", "52:54:00:00:24:02"), T0);
        Node n3 = store.nodes().create(draft("k3.cluster.test", "52:54:00:00:24:03"), T0);
        TaskStore tasks = store.tasks();
        TaskStore.Task live = tasks.enqueue(n1.id(), "reboot", "", 3, T0, T0);
        TaskStore.Task silent = tasks.enqueue(n2.id(), "script", "sleep 60", 3, T0, T0);
        TaskStore.Task lastTry = tasks.enqueue(n3.id(), "reboot", "", 1, T0, T0);
        TaskStore.Task n1Next = tasks.enqueue(n1.id(), "reboot", "", 3, T0, T0);
        TaskStore.Task n2Next = tasks.enqueue(n2.id(), "reboot", "", 3, T0, T0);
        store.instances().register("a", T0);
        store.instances().register("b", T0);
        assertTrue(tasks.claim(live.id(), "a", T0));
        assertTrue(tasks.claim(silent.id(), "b", T0));
        assertTrue(tasks.claim(lastTry.id(), "b", T0));
        store.instances().beat("a", T0.plusSeconds(25)); // b says nothing more
        Instant now = T0.plusSeconds(40);
        Instant staleBefore = now.minusSeconds(30);
        Instant notBefore = now.plusSeconds(60);
        TaskStore other = peer().tasks();

        assertEquals(List.of(), other.takeOver("b", false, staleBefore, now, notBefore), "never its own while it runs");
        List<TaskStore.Task> taken = other.takeOver("c", false, staleBefore, now, notBefore);
        assertEquals(
                List.of(silent.id(), lastTry.id()),
                taken.stream().map(TaskStore.Task::id).toList());
        assertEquals(Optional.of("b"), taken.get(0).instance(), "as they were");
        assertEquals(List.of(), other.takeOver("c", false, staleBefore, now, notBefore), "taken once");

        TaskStore.Task a = tasks.get(live.id()).orElseThrow();
        assertEquals(TaskStore.TaskState.RUNNING, a.state(), "a's heartbeat is fresh: its task is left to it");
        assertEquals(Optional.of("a"), a.instance());
        assertEquals(T0, tasks.get(n1Next.id()).orElseThrow().notBefore(), "a's node is not held back");

        TaskStore.Task retried = tasks.get(silent.id()).orElseThrow();
        assertEquals(TaskStore.TaskState.QUEUED, retried.state());
        assertEquals(1, retried.attempts(), "the cut-off attempt counts");
        assertEquals(notBefore, retried.notBefore());
        assertTrue(
                retried.error().orElseThrow().startsWith("instance b stopped (no heartbeat since " + staleBefore),
                retried.error().toString());
        assertTrue(
                retried.error().orElseThrow().endsWith("taken over by c; retried"),
                retried.error().toString());
        assertTrue(
                retried.log().startsWith(now + " attempt 1 of 3 on instance b cut off: instance b stopped"),
                retried.log());
        assertEquals(
                notBefore,
                tasks.get(n2Next.id()).orElseThrow().notBefore(),
                "the cut-off attempt may still run on the node: its queued tasks wait");
        TaskStore.Task failed = tasks.get(lastTry.id()).orElseThrow();
        assertEquals(TaskStore.TaskState.FAILED, failed.state());
        assertEquals(Optional.of(now), failed.finishedAt());
        assertTrue(
                failed.error().orElseThrow().endsWith("; no attempts left"),
                failed.error().toString());

        // b, started again, finds nothing of its own left; a, restarted, takes back its own cut-off task.
        assertEquals(List.of(), tasks.takeOver("b", true, staleBefore, now, notBefore));
        List<TaskStore.Task> own = tasks.takeOver("a", true, staleBefore, now, notBefore);
        assertEquals(List.of(live.id()), own.stream().map(TaskStore.Task::id).toList());
        TaskStore.Task back = tasks.get(live.id()).orElseThrow();
        assertEquals(TaskStore.TaskState.QUEUED, back.state());
        assertEquals(Optional.of("interrupted by a restart of instance a; retried"), back.error());
        assertEquals(notBefore, tasks.get(n1Next.id()).orElseThrow().notBefore());
        assertEquals(
                List.of(n1Next.id()),
                tasks.due(notBefore, 0, 10).stream()
                        .map(TaskStore.Task::id)
                        .filter(id -> id == n1Next.id())
                        .toList(),
                "due again once the cut-off attempt must have ended");
    }

    @Test
    void twoInstancesRacingClaimEachTaskOnce() throws Exception {
        Node n = store.nodes().create(draft("race.cluster.test", "52:54:00:00:25:01"), T0);
        int count = 200;
        for (int i = 0; i < count; i++) {
            store.tasks().enqueue(n.id(), "reboot", "", 3, T0, T0);
        }
        Store other = peer();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<List<Long>>> claims = new ArrayList<>();
            String[] names = {"a", "b", "a", "b"};
            for (int w = 0; w < names.length; w++) {
                TaskStore tasks = (w % 2 == 0 ? store : other).tasks();
                String name = names[w];
                claims.add(pool.submit(() -> {
                    go.await();
                    List<Long> mine = new ArrayList<>();
                    for (TaskStore.Task t : tasks.due(T0, 0, count)) {
                        if (tasks.claim(t.id(), name, T0)) {
                            mine.add(t.id());
                        }
                    }
                    return mine;
                }));
            }
            go.countDown();
            Set<Long> claimed = new HashSet<>();
            Map<String, Integer> byInstance = new java.util.HashMap<>();
            for (int w = 0; w < claims.size(); w++) {
                for (long id : claims.get(w).get()) {
                    assertTrue(claimed.add(id), "task " + id + " claimed twice");
                    assertEquals(
                            Optional.of(names[w]),
                            store.tasks().get(id).orElseThrow().instance());
                    assertEquals(1, store.tasks().get(id).orElseThrow().attempts());
                    byInstance.merge(names[w], 1, Integer::sum);
                }
            }
            assertEquals(count, claimed.size(), "every task claimed: " + byInstance);
        } finally {
            pool.shutdownNow();
        }
    }
}
