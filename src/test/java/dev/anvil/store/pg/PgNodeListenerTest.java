package dev.anvil.store.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.app.NodeService;
import dev.anvil.app.NodeSync;
import dev.anvil.core.net.NetworkDraft;
import dev.anvil.core.node.HostKey;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.node.NodeEvents;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.NodeQuery;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The V15 triggers and {@link PgNodeListener} on a real PostgreSQL server: two store objects on one database stand
 * for two instances (two pools, as two processes have); a write through A reaches B's directory through NOTIFY,
 * a change whose notification never came (made with the triggers off) is found by the resync, and after the
 * server was restarted the listener reconnects and resyncs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgNodeListenerTest {
    static final String KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIJSI8HFfnxvevOcTKxuG9cIEuuTW7bFFPwb7NGQqRYr0";
    private PostgresServer server;

    @BeforeAll
    void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }

    /** Instance B: its own store object, directory, events and listener. */
    final class Peer implements AutoCloseable {
        final PgStore store;
        final NodeEvents events = new NodeEvents();
        final NodeDirectory directory;
        final List<NodeEvent> seen = new CopyOnWriteArrayList<>();
        final List<dev.anvil.core.dns.DnsRecordEvent> records = new CopyOnWriteArrayList<>();
        final PgNodeListener listener;

        Peer(String url, Duration resync) {
            store = PgStore.open(url, PostgresServer.USER, Optional.of(PostgresServer.PASSWORD), 2);
            directory = new NodeDirectory(store.nodes().list(NodeQuery.all()));
            events.subscribe(directory);
            events.subscribe(seen::add);
            dev.anvil.app.DnsRecords dns = new dev.anvil.app.DnsRecords(
                    store.dnsRecords(),
                    store.nodes(),
                    new dev.anvil.core.net.NetworkCatalog(store.networks().list()));
            dns.subscribe(records::add);
            listener = new PgNodeListener(
                    url,
                    PostgresServer.USER,
                    Optional.of(PostgresServer.PASSWORD),
                    new NodeSync(store.nodes(), directory, events, NodeService.WriteGuard.NONE),
                    dns::sync,
                    resync);
            listener.start();
            await("the first resync", () -> listener.resyncs() >= 1);
        }

        @Override
        public void close() {
            listener.close();
            store.close();
        }
    }

    static NodeDraft draft(String name, int mac) {
        return new NodeDraft(
                name,
                List.of(MacAddress.parse(String.format("52:54:00:00:00:%02x", mac))),
                Map.of("lo", Optional.empty()),
                "sledgehammer",
                Optional.empty(),
                true,
                NodeState.DISCOVERING);
    }

    static void putNetwork(PgStore s) {
        s.networks()
                .put(new NetworkDraft(
                                "lo",
                                1,
                                "127.0.0.0/16",
                                "127.0.1.1-127.0.9.254",
                                null,
                                null,
                                "cluster.test",
                                "none",
                                null,
                                null)
                        .validate());
    }

    static void await(String what, BooleanSupplier ok) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Waits for B's directory to hold {@code expected} for node {@code id}; returns the milliseconds it took. */
    static long seenWithin(Peer b, long id, Optional<Node> expected, long t0) {
        await("B has " + expected, () -> b.directory.byId(id).equals(expected));
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void everyWriteThroughOneStoreReachesTheOthersDirectory() throws Exception {
        String url = server.createDatabase();
        try (PgStore a = PgStore.open(url, PostgresServer.USER, Optional.of(PostgresServer.PASSWORD), 2)) {
            putNetwork(a);
            try (Peer b = new Peer(url, Duration.ZERO)) {
                long t0 = System.nanoTime();
                Node made = a.nodes().create(draft("n1.cluster.test", 1), Instant.now());
                long created = seenWithin(b, made.id(), Optional.of(made), t0);
                assertEquals(NodeEvent.Kind.CREATED, b.seen.get(0).kind());
                assertTrue(b.seen.get(0).remote());
                assertEquals(Optional.of(made), b.directory.byMac(made.macs().get(0)));

                t0 = System.nanoTime();
                Node renamed = a.nodes()
                        .update(
                                "n1.cluster.test",
                                NodeChange.none()
                                        .withMacs(List.of(MacAddress.parse("52:54:00:00:00:aa")))
                                        .withBootEnv("local"),
                                Instant.now())
                        .after();
                long updated = seenWithin(b, made.id(), Optional.of(renamed), t0);
                assertEquals(NodeEvent.Kind.BOOT_ENV_CHANGED, b.seen.get(1).kind());
                assertTrue(b.directory.byMac(made.macs().get(0)).isEmpty(), "the old MAC is gone from B");

                // a change to a row the node is built from only (its host keys), not to the nodes row
                try (Connection c = server.connect(url.substring(url.lastIndexOf('/') + 1));
                        Statement s = c.createStatement()) {
                    t0 = System.nanoTime();
                    s.execute("INSERT INTO node_host_keys (node_id, position, key_type, key_data) VALUES (" + made.id()
                            + ", 0, 'ssh-ed25519', '" + KEY + "')");
                }
                await(
                        "B has the host key",
                        () -> b.directory
                                .byId(made.id())
                                .map(n -> n.hostKeys().equals(List.of(new HostKey("ssh-ed25519", KEY))))
                                .orElse(false));
                long child = (System.nanoTime() - t0) / 1_000_000;

                t0 = System.nanoTime();
                a.nodes().delete("n1.cluster.test");
                long deleted = seenWithin(b, made.id(), Optional.empty(), t0);
                assertEquals(
                        NodeEvent.Kind.DELETED, b.seen.get(b.seen.size() - 1).kind());
                System.out.printf(
                        "NOTIFY latency A -> B's directory: create %d ms, update %d ms, host key row %d ms, delete %d ms%n",
                        created, updated, child, deleted);
                for (long ms : List.of(created, updated, child, deleted)) {
                    assertTrue(ms < 1000, ms + " ms");
                }
                assertEquals(1L, b.listener.resyncs(), "no resync but the first (resyncSeconds 0)");
                assertEquals(0L, b.listener.metrics().get("resyncChanges"));
                assertEquals(4, b.seen.size(), b.seen.toString());
            }
        }
    }

    @Test
    void theOperatorsDnsRecordsReachTheOtherInstance() throws Exception {
        String url = server.createDatabase();
        try (PgStore a = PgStore.open(url, PostgresServer.USER, Optional.of(PostgresServer.PASSWORD), 2)) {
            putNetwork(a);
            try (Peer b = new Peer(url, Duration.ZERO)) {
                long t0 = System.nanoTime();
                dev.anvil.core.dns.DnsRecord made = a.dnsRecords()
                        .create(dev.anvil.core.dns.DnsRecord.of("www.cluster.test", "A", "127.0.1.7", 60));
                await("B has the record", () -> b.records.size() == 1);
                long added = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(new dev.anvil.core.dns.DnsRecordEvent(true, made), b.records.get(0));
                t0 = System.nanoTime();
                a.dnsRecords().delete(made.id());
                await("B lost the record", () -> b.records.size() == 2);
                long deleted = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(new dev.anvil.core.dns.DnsRecordEvent(false, made), b.records.get(1));
                assertTrue(added < 1000 && deleted < 1000, "added after " + added + " ms, deleted after " + deleted);
                System.out.printf("PgNodeListenerTest: DNS record added %d ms, deleted %d ms%n", added, deleted);
            }
        }
    }

    @Test
    void aMissedChangeIsFoundByThePeriodicResync() throws Exception {
        String url = server.createDatabase();
        try (PgStore a = PgStore.open(url, PostgresServer.USER, Optional.of(PostgresServer.PASSWORD), 2)) {
            putNetwork(a);
            Node made = a.nodes().create(draft("n1.cluster.test", 1), Instant.now());
            try (Peer b = new Peer(url, Duration.ofSeconds(1))) {
                assertEquals(Optional.of(made), b.directory.byId(made.id()));
                silentRename(url, made.id(), "quiet.cluster.test");
                await(
                        "the resync finds the rename",
                        () -> b.directory
                                .byId(made.id())
                                .map(n -> n.name().equals("quiet.cluster.test"))
                                .orElse(false));
                await("counted", () -> b.listener.metrics().get("resyncChanges").equals(1L));
                assertEquals(0L, b.listener.metrics().get("applied"), "no notification told of it");
            }
        }
    }

    @Test
    void afterTheServerRestartedTheListenerReconnectsAndResyncs() throws Exception {
        String url = server.createDatabase();
        try (PgStore a = PgStore.open(url, PostgresServer.USER, Optional.of(PostgresServer.PASSWORD), 2)) {
            putNetwork(a);
            Node made = a.nodes().create(draft("n1.cluster.test", 1), Instant.now());
            try (Peer b = new Peer(url, Duration.ZERO)) {
                silentRename(url, made.id(), "missed.cluster.test");
                Thread.sleep(500);
                assertEquals(Optional.of(made), b.directory.byId(made.id()), "no notification, no periodic resync");

                server.stopServer();
                await("B notices", () -> !b.listener.listening());
                server.startServer();
                await("B listens again", () -> b.listener.listening());
                await("B resynced", () -> b.listener.resyncs() >= 2);
                await(
                        "the resync after the reconnect found the rename",
                        () -> b.directory
                                .byId(made.id())
                                .map(n -> n.name().equals("missed.cluster.test"))
                                .orElse(false));
                assertEquals(1L, b.listener.metrics().get("reconnects"));

                // and notifications flow again
                long t0 = System.nanoTime();
                Node other = retry(() -> a.nodes().create(draft("n2.cluster.test", 2), Instant.now()));
                long ms = seenWithin(b, other.id(), Optional.of(other), t0);
                assertTrue(ms < 1000, ms + " ms");
            }
        }
    }

    /**
     * The cost of a resync (doc/scale-out.md): 10,000 nodes with a MAC and an address each, made in one statement
     * per table, read and compared with a directory that holds them all; the median of five runs is printed.
     */
    @Test
    void aResyncOfTenThousandNodes() throws Exception {
        String url = server.createDatabase();
        try (PgStore a = PgStore.open(url, PostgresServer.USER, Optional.of(PostgresServer.PASSWORD), 2)) {
            putNetwork(a);
        }
        try (Connection c = server.connect(url.substring(url.lastIndexOf('/') + 1));
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO nodes (id, name, boot_env, alive, available, state, created_at, updated_at) "
                    + "SELECT g, 'n' || g || '.cluster.test', 'sledgehammer', false, true, 'DISCOVERING', now(), now() "
                    + "FROM generate_series(1, 10000) g");
            s.execute("INSERT INTO node_macs (mac, node_id, position) SELECT '52:54:00:00:' || "
                    + "lpad(to_hex(g / 256), 2, '0') || ':' || lpad(to_hex(g % 256), 2, '0'), g, 0 "
                    + "FROM generate_series(1, 10000) g");
            s.execute("INSERT INTO node_addresses (node_id, network, ipv4) SELECT g, 'lo', 2130706432 + 256 + g "
                    + "FROM generate_series(1, 10000) g");
        }
        try (Peer b = new Peer(url, Duration.ZERO)) {
            assertEquals(10_000, b.directory.size());
            NodeSync sync = new NodeSync(b.store.nodes(), b.directory, b.events, NodeService.WriteGuard.NONE);
            long[] ms = new long[5];
            for (int i = 0; i < ms.length; i++) {
                long t0 = System.nanoTime();
                assertEquals(0, sync.resync());
                ms[i] = (System.nanoTime() - t0) / 1_000_000;
            }
            java.util.Arrays.sort(ms);
            System.out.printf(
                    "resync of 10000 unchanged nodes: median %d ms (runs %s)%n", ms[2], java.util.Arrays.toString(ms));
            assertTrue(ms[2] < 10_000, ms[2] + " ms");
        }
    }

    /** Renames the node with the triggers off for the session: no notification is sent. */
    private void silentRename(String url, long id, String name) throws Exception {
        try (Connection c = server.connect(url.substring(url.lastIndexOf('/') + 1));
                Statement s = c.createStatement()) {
            s.execute("SET session_replication_role = replica");
            assertEquals(1, s.executeUpdate("UPDATE nodes SET name = '" + name + "' WHERE id = " + id));
        }
    }

    /** The pool's first connection after a restart may be a dead one: the write is tried again. */
    private static Node retry(java.util.function.Supplier<Node> write) throws InterruptedException {
        for (int i = 0; ; i++) {
            try {
                return write.get();
            } catch (RuntimeException e) {
                if (i == 20) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    @Test
    void ownWritesComeBackAsNotificationsAndChangeNothing() throws Exception {
        String url = server.createDatabase();
        try (PgStore seed = PgStore.open(url, PostgresServer.USER, Optional.of(PostgresServer.PASSWORD), 2)) {
            putNetwork(seed);
        }
        try (Peer b = new Peer(url, Duration.ZERO)) {
            NodeService nodes = new NodeService(
                    b.store.nodes(),
                    new dev.anvil.config.ConfigLoader().embeddedDefault().bootEnvironments(),
                    b.events,
                    java.time.Clock.systemUTC());
            nodes.create(draft("own.cluster.test", 3));
            nodes.update("own.cluster.test", NodeChange.none().withAlive(true));
            await(
                    "both notifications came back",
                    () -> (long) b.listener.metrics().get("notifications") >= 2);
            Thread.sleep(200);
            assertEquals(0L, b.listener.metrics().get("applied"));
            assertEquals(2, b.seen.size());
            assertFalse(b.seen.stream().anyMatch(NodeEvent::remote));
        }
    }
}
