package dev.anvil.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.app.InstallTokens;
import dev.anvil.app.NodeService;
import dev.anvil.app.Provisioning;
import dev.anvil.config.LifecycleConfig;
import dev.anvil.core.ConflictException;
import dev.anvil.core.node.HistoryEntry;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.NodeQuery;
import dev.anvil.store.TaskStore;
import dev.anvil.store.h2.H2Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle with real parts: the H2 store, the task queue, JSch against a real SSH server (MINA SSHD)
 * that stands in for every node on its own loopback address (127.0.x.y), simulated installer callbacks.
 */
class ProvisioningFlowTest {
    static final int MAX_TASKS = 10;

    @TempDir
    Path dir;

    H2Store store;
    NodeDirectory directory;
    NodeService nodes;
    Provisioning provisioning;
    InstallTokens tokens;
    FakeSshServer sshd;
    JschShell shell;
    TaskQueue queue;
    Aliveness aliveness;
    dev.anvil.core.node.NodeEvents events;
    final Clock clock = Clock.systemUTC();

    @BeforeEach
    void setUp() throws Exception {
        JschShell.ensureKey(dir.resolve("ssh"));
        sshd = new FakeSshServer(dir.resolve("ssh/id_rsa.pub"), 30);
        open();
    }

    void open() {
        TestNodes world = new TestNodes(dir.resolve("state"), clock);
        store = world.store;
        directory = world.directory;
        nodes = world.nodes;
        provisioning = world.provisioning;
        events = world.events;
        tokens = new InstallTokens(store.installTokens(), new byte[32], clock, Duration.ofHours(1), new Random(7));
        LifecycleConfig lc = lifecycle();
        shell = new JschShell(
                dir.resolve("ssh/id_rsa"),
                "root",
                sshd.port(),
                Duration.ofSeconds(5),
                JschShell.addressOn("lo", ProvisioningFlowTest::poolAddress));
        queue = new TaskQueue(
                store.tasks(),
                directory::byId,
                shell,
                lc,
                clock,
                n -> nodes.update(n.name(), NodeChange.none().withAlive(false)),
                dev.anvil.core.timeline.Timeline.NONE,
                dev.anvil.core.power.NodePower.NONE,
                "a1",
                false);
        world.events.subscribe(e -> queue.nodeChanged()); // as Operations wires it
        provisioning.onInstallPending(n -> {
            if (n.alive()) {
                queue.reboot(n);
            }
        });
        aliveness = new Aliveness(
                directory::all,
                shell,
                JschShell.addressOn("lo", ProvisioningFlowTest::poolAddress),
                Duration.ZERO,
                this::report);
        queue.start();
        aliveness.start();
    }

    /** Short timeouts and backoff, the fake SSH server's port. */
    LifecycleConfig lifecycle() {
        return new LifecycleConfig(
                "d{mac}",
                MAX_TASKS,
                Duration.ofSeconds(2),
                3,
                Duration.ofMillis(100),
                "root",
                sshd.port(),
                Duration.ofSeconds(5),
                Duration.ZERO,
                Duration.ofSeconds(3),
                List.of());
    }

    void report(Node n, boolean alive) {
        provisioning.alive(n, alive, "aliveness", "answers ping and SSH");
    }

    void close() {
        if (aliveness == null) {
            return;
        }
        aliveness.close();
        queue.close();
        store.close();
    }

    @AfterEach
    void tearDown() throws Exception {
        close();
        sshd.close();
    }

    /**
     * Where a discovered machine (no reservation) is: the DHCP lease stands in as an address derived from its
     * MAC, 127.(10 + hi).lo.1 (the fake SSH server tells nodes apart by the address dialled).
     */
    static Optional<String> poolAddress(Node n) {
        byte[] b = n.macs().get(0).toBytes();
        return Optional.of("127." + (10 + (b[4] & 0xff)) + "." + (b[5] & 0xff) + ".1");
    }

    static MacAddress mac(int i) {
        return MacAddress.parse(String.format("52:54:00:00:%02x:%02x", i >> 8, i & 0xff));
    }

    static void await(String what, long seconds, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void manyNodesThroughTheWholeLifecycleWithinTheLimits() throws Exception {
        int n = 250; // 25 times the task limit; 500 took 30-40 s of CI for no more coverage
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var reg = provisioning.discover(mac(i), List.of(mac(i)), "{\"cpu\":{\"count\":2}}");
            assertTrue(reg.created());
            assertEquals(NodeState.DISCOVERED, reg.node().state());
            names.add(reg.node().name());
        }
        // Aliveness through the real checker: ping the node's address, log in with the admin key.
        // As the periodic sweep does, a node whose check failed (a 1 s ping on a loaded machine) is checked again
        // at the next sweep: three sweeps at most.
        for (int sweep = 0; sweep < 3 && !directory.all().stream().allMatch(Node::alive); sweep++) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            for (Node node : directory.all()) {
                if (!node.alive()) {
                    pool.execute(() -> report(node, aliveness.check(node)));
                }
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(120, TimeUnit.SECONDS));
        }
        assertTrue(directory.all().stream().allMatch(Node::alive), "every node answers ping and SSH");

        for (String name : names) {
            Node after = provisioning.install(name, "debian-12", "test");
            assertEquals("debian-12-install", after.bootEnv(), "the boot env is committed before the reboot task");
        }
        await(n + " reboots", 180, () -> store.tasks().countByState().getOrDefault(TaskStore.TaskState.DONE, 0L) == n);

        // The installers: fetch the answer file (installing), call back with the node's token (installed).
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        ExecutorService installers = Executors.newFixedThreadPool(16);
        for (String name : names) {
            installers.execute(() -> {
                try {
                    Node node = provisioning.installerStarted(nodes.get(name).orElseThrow());
                    String token = tokens.current(node);
                    provisioning.installComplete(name, locked -> tokens.consume(locked, token), () -> {
                        throw new IllegalStateException("refused");
                    });
                } catch (Throwable t) {
                    errors.add(t);
                }
            });
        }
        installers.shutdown();
        assertTrue(installers.awaitTermination(120, TimeUnit.SECONDS));
        assertTrue(errors.isEmpty(), errors.toString());

        aliveness.sweep();
        await(
                n + " ready",
                120,
                () -> nodes.list(NodeQuery.all()).stream().allMatch(x -> x.state() == NodeState.READY));

        // The limits, from the SSH server's view and from the durable task log.
        assertEquals(n, sshd.execs.size());
        assertTrue(sshd.peak.get() <= MAX_TASKS, "peak " + sshd.peak.get());
        assertTrue(sshd.peak.get() > 1, "tasks did run in parallel");
        assertEquals(0, sshd.overlaps.get(), "two commands at once on one node");
        assertTrue(queue.peakRunning() <= MAX_TASKS);
        List<TaskStore.Task> log = store.tasks().list(Optional.empty(), 10_000);
        assertEquals(n, log.size());
        assertTrue(maxOverlap(log) <= MAX_TASKS, "overlap in the task log " + maxOverlap(log));
        assertTrue(sshd.execs.stream().allMatch(e -> e.command().contains("systemctl reboot")));

        Node one = nodes.get(names.get(0)).orElseThrow();
        List<String> path = nodes.history(one).stream()
                .map(h -> h.event() + ":" + h.to().wireName())
                .toList();
        assertEquals(
                List.of(
                        "create:discovering",
                        "discover:discovered",
                        "install:install-pending",
                        "installer-started:installing",
                        "install-complete:installed",
                        "booted:ready"),
                path);
        HistoryEntry last = nodes.history(one).get(5);
        assertEquals("aliveness", last.actor());
        assertEquals("local", one.bootEnv());
    }

    static int maxOverlap(List<TaskStore.Task> tasks) {
        List<long[]> ev = new ArrayList<>();
        for (TaskStore.Task t : tasks) {
            ev.add(new long[] {t.startedAt().orElseThrow().toEpochMilli() * 10 + 1, 1});
            ev.add(new long[] {t.finishedAt().orElseThrow().toEpochMilli() * 10, -1});
        }
        ev.sort(Comparator.comparingLong(e -> e[0]));
        int cur = 0;
        int max = 0;
        for (long[] e : ev) {
            cur += (int) e[1];
            max = Math.max(max, cur);
        }
        return max;
    }

    @Test
    void illegalActionsChangeNothing() {
        Node node = provisioning.discover(mac(1), List.of(), "{}").node();
        ConflictException e = assertThrows(
                ConflictException.class, () -> provisioning.installComplete(node.name(), x -> true, () -> {}));
        assertTrue(e.getMessage().contains("in state discovered"), e.getMessage());
        assertEquals(NodeState.DISCOVERED, nodes.get(node.name()).orElseThrow().state());
        assertEquals(2, nodes.history(node).size());
        // A wrong token refuses inside the transaction: nothing changes.
        provisioning.install(node.name(), "debian-12", "test");
        provisioning.installerStarted(nodes.get(node.name()).orElseThrow());
        assertThrows(
                IllegalStateException.class,
                () -> provisioning.installComplete(node.name(), x -> false, () -> {
                    throw new IllegalStateException("403");
                }));
        assertEquals(NodeState.INSTALLING, nodes.get(node.name()).orElseThrow().state());
    }

    @Test
    void aNewMachineRegistersInOneCommitAndItsCreationAndDiscoveryArePublishedInOrder() throws Exception {
        List<dev.anvil.core.node.NodeEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        long before = events.version();
        try (AutoCloseable sub = events.subscribe(seen::add)) {
            var reg = provisioning.discover(mac(7), List.of(mac(7)), "{\"cpu\":{\"count\":8}}");
            assertTrue(reg.created());
            Node n = reg.node();
            assertEquals(NodeState.DISCOVERED, n.state());
            assertEquals(before + 2, events.version(), "two changes: the creation and the discovery");
            assertEquals(2, seen.size(), seen.toString());
            assertEquals(dev.anvil.core.node.NodeEvent.Kind.CREATED, seen.get(0).kind());
            assertEquals(
                    NodeState.DISCOVERING, seen.get(0).after().orElseThrow().state());
            assertEquals(before + 1, seen.get(0).version());
            assertEquals(
                    NodeState.DISCOVERING, seen.get(1).before().orElseThrow().state());
            assertEquals(n, seen.get(1).after().orElseThrow());
            assertEquals(before + 2, seen.get(1).version());
            assertEquals(n, directory.byId(n.id()).orElseThrow(), "the directory has the discovered node");
            assertEquals("{\"cpu\":{\"count\":8}}", nodes.inventory(n).orElseThrow());
            assertEquals(
                    List.of("create", "discover"),
                    nodes.history(n).stream().map(h -> h.event()).toList());
        }
    }

    @Test
    void aKnownMachineRegistersAgainInOneCommit() {
        Node first = provisioning
                .discover(mac(9), List.of(mac(9)), "{\"cpu\":{\"count\":8}}")
                .node();
        List<String> writes = new java.util.concurrent.CopyOnWriteArrayList<>();

        var again = counting(writes).discover(mac(9), List.of(mac(9)), "{\"cpu\":{\"count\":16}}");

        assertFalse(again.created());
        assertEquals(List.of("transitionReporting"), writes, "the inventory and the discovery: one transaction");
        assertEquals(NodeState.DISCOVERED, again.node().state());
        assertEquals("{\"cpu\":{\"count\":16}}", nodes.inventory(first).orElseThrow());
        assertEquals(
                List.of("create", "discover", "discover"),
                nodes.history(first).stream().map(h -> h.event()).toList());
        assertEquals(again.node(), directory.byId(first.id()).orElseThrow(), "the change was published");
    }

    @Test
    void aKnownMachineWithANewNicRegistersAgainInOneCommit() {
        Node first = provisioning.discover(mac(9), List.of(mac(9)), "{}").node();
        Node other = provisioning.discover(mac(7), List.of(mac(7)), "{}").node();
        List<String> writes = new java.util.concurrent.CopyOnWriteArrayList<>();

        var again = counting(writes).discover(mac(9), List.of(mac(9), mac(8), mac(7)), "{\"nics\":3}");

        assertEquals(List.of("transitionReporting"), writes, "the new NIC, the inventory, the discovery: one commit");
        assertEquals(List.of(mac(9), mac(8)), again.node().macs(), "the new NIC joins; another node's stays there");
        assertEquals(List.of(mac(7)), nodes.get(other.name()).orElseThrow().macs());
        assertEquals(NodeState.DISCOVERED, again.node().state());
        assertEquals("{\"nics\":3}", nodes.inventory(first).orElseThrow());
        assertEquals(again.node(), directory.byId(first.id()).orElseThrow(), "the change was published");
        assertEquals(Optional.of(again.node()), nodes.findByMac(mac(8)));
    }

    /** A {@link Provisioning} on the same store whose node writes are listed in {@code writes}. */
    private Provisioning counting(List<String> writes) {
        java.util.Set<String> writeMethods = java.util.Set.of(
                "create", "update", "transition", "transitionReporting", "createThen", "putInventory", "delete");
        dev.anvil.store.NodeStore real = store.nodes();
        dev.anvil.store.NodeStore counting = (dev.anvil.store.NodeStore) java.lang.reflect.Proxy.newProxyInstance(
                dev.anvil.store.NodeStore.class.getClassLoader(),
                new Class<?>[] {dev.anvil.store.NodeStore.class},
                (proxy, m, args) -> {
                    if (writeMethods.contains(m.getName())) {
                        writes.add(m.getName());
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        var envs = new dev.anvil.config.ConfigLoader().embeddedDefault().bootEnvironments();
        return new Provisioning(new NodeService(counting, envs, events, clock), envs, "lo", "cluster.test", "d{mac}");
    }

    @Test
    void severalNicsAreOneNode() {
        Node a = provisioning.discover(mac(1), List.of(mac(1)), "{}").node();
        var again = provisioning.discover(mac(2), List.of(mac(2), mac(1)), "{\"again\":true}");
        assertFalse(again.created());
        assertEquals(a.id(), again.node().id());
        assertEquals(List.of(mac(1), mac(2)), again.node().macs(), "a NIC reported later joins the node");
        assertEquals(1, nodes.list(NodeQuery.all()).size());
        assertEquals("{\"again\":true}", nodes.inventory(a).orElseThrow());
    }

    @Test
    void anIdleQueueSleepsUntilTheNextDueTaskOrAWakeUp() throws Exception {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        TaskStore counting = (TaskStore) java.lang.reflect.Proxy.newProxyInstance(
                TaskStore.class.getClassLoader(), new Class<?>[] {TaskStore.class}, (proxy, m, args) -> {
                    if (m.getName().equals("due")) {
                        reads.incrementAndGet();
                    }
                    try {
                        return m.invoke(store.tasks(), args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        LifecycleConfig lc = lifecycle();
        TaskQueue idle = new TaskQueue(
                counting,
                directory::byId,
                shell,
                lc,
                clock,
                n -> {},
                dev.anvil.core.timeline.Timeline.NONE,
                dev.anvil.core.power.NodePower.NONE,
                "a2",
                false);
        idle.start();
        try {
            Thread.sleep(1_200);
            assertTrue(reads.get() <= 2, "an idle queue reads the store once per idle check, read " + reads.get());
            idle.wakeUp();
            await("a look after a wake-up", 5, () -> reads.get() >= 2);
        } finally {
            idle.close();
        }
        assertEquals(TaskQueue.IDLE_CHECK.toMillis(), idle.sleepMillis(Optional.empty()));
        assertEquals(1, idle.sleepMillis(Optional.of(clock.instant().minusSeconds(1))), "due already: at once");
        long inTwo = idle.sleepMillis(Optional.of(clock.instant().plusSeconds(2)));
        assertTrue(inTwo > 1_500 && inTwo <= 2_001, "until it is due: " + inTwo);
        assertEquals(
                TaskQueue.IDLE_CHECK.toMillis(),
                idle.sleepMillis(Optional.of(clock.instant().plusSeconds(3600))),
                "at most the idle check");
    }

    @Test
    void blockedTasksNeverHideRunnableOnes() throws Exception {
        Node dead = provisioning.discover(mac(6), List.of(), "{}").node();
        for (int i = 0; i < 400; i++) {
            queue.reboot(dead); // 400 tasks of a node that is not alive, older than the runnable one
        }
        Node live = nodes.update(
                provisioning.discover(mac(7), List.of(), "{}").node().name(),
                NodeChange.none().withAlive(true));
        TaskStore.Task t = queue.reboot(live);
        await(
                "the runnable task behind 400 blocked ones",
                30,
                () -> store.tasks().get(t.id()).orElseThrow().state() == TaskStore.TaskState.DONE);
    }

    @Test
    void deadNodesBlockTheirTasksAndTheyRunWhenTheNodeIsBack() throws Exception {
        Node node = provisioning.discover(mac(3), List.of(), "{}").node();
        Node dead = nodes.update(node.name(), NodeChange.none().withAlive(false));
        TaskStore.Task t = queue.reboot(dead);
        Thread.sleep(600);
        assertEquals(
                TaskStore.TaskState.QUEUED,
                store.tasks().get(t.id()).orElseThrow().state());
        assertEquals(
                Optional.of("node is not alive"),
                queue.blockedBy(store.tasks().get(t.id()).orElseThrow()));
        report(dead, aliveness.check(dead));
        long back = System.nanoTime();
        await(
                "the blocked task",
                30,
                () -> store.tasks().get(t.id()).orElseThrow().state() == TaskStore.TaskState.DONE);
        assertTrue(
                System.nanoTime() - back < TaskQueue.IDLE_CHECK.toNanos() / 2,
                "woken by the node's change, not the idle check");
        // Unavailable (operator flag): nothing runs, the state is left alone.
        Node off = nodes.update(
                node.name(),
                new NodeChange(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(false),
                        Optional.empty(),
                        Optional.empty()));
        TaskStore.Task t2 = queue.reboot(off);
        Thread.sleep(600);
        assertEquals(
                TaskStore.TaskState.QUEUED,
                store.tasks().get(t2.id()).orElseThrow().state());
        assertEquals(NodeState.DISCOVERED, nodes.get(node.name()).orElseThrow().state());
    }

    @Test
    void failingScriptsRetryWithBackoffThenFail() throws Exception {
        Node node = provisioning.discover(mac(4), List.of(), "{}").node();
        node = nodes.update(node.name(), NodeChange.none().withAlive(true));
        TaskStore.Task ok = queue.enqueue(node, TaskQueue.SCRIPT, "echo hello\n", Duration.ZERO);
        TaskStore.Task bad = queue.enqueue(node, TaskQueue.SCRIPT, "fail-me\n", Duration.ZERO);
        await(
                "both",
                30,
                () -> store.tasks().get(bad.id()).orElseThrow().state() == TaskStore.TaskState.FAILED
                        && store.tasks().get(ok.id()).orElseThrow().state() == TaskStore.TaskState.DONE);
        TaskStore.Task b = store.tasks().get(bad.id()).orElseThrow();
        assertEquals(3, b.attempts());
        assertTrue(b.log().contains("retry in") && b.log().contains("exit 3"), b.log());
        assertTrue(store.tasks().get(ok.id()).orElseThrow().log().contains("ran on 127.10.4.1"), "the pool address");
    }

    @Test
    void aRestartRetriesWhatWasRunningAndLosesNothing() throws Exception {
        Node node = provisioning.discover(mac(5), List.of(), "{}").node();
        node = nodes.update(node.name(), NodeChange.none().withAlive(true));
        close();
        // As if the process died mid-task: one task claimed (running), two queued, written straight to the store.
        store = H2Store.open(dir.resolve("state"));
        Instant now = Instant.now();
        TaskStore.Task running = store.tasks().enqueue(node.id(), TaskQueue.REBOOT, "", 3, now, now);
        assertTrue(store.tasks().claim(running.id(), "a1", now));
        store.tasks().enqueue(node.id(), TaskQueue.SCRIPT, "echo a\n", 3, now, now);
        store.tasks().enqueue(node.id(), TaskQueue.SCRIPT, "echo b\n", 3, now, now);
        store.close();
        open();
        await("all three", 30, () -> store.tasks().countByState().getOrDefault(TaskStore.TaskState.DONE, 0L) == 3);
        assertEquals(2, store.tasks().get(running.id()).orElseThrow().attempts(), "the cut-off attempt counted");
        assertEquals(0, sshd.overlaps.get());
        assertTrue(Files.exists(dir.resolve("ssh/id_rsa.pub")));
    }
}
