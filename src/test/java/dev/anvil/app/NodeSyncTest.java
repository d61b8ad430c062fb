package dev.anvil.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.ConfigLoader;
import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.net.NetworkDraft;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.node.NodeEvents;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.NodeQuery;
import dev.anvil.store.h2.H2Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NodeSync} on a real H2 store: a write made straight through the store (as another instance's reaches a
 * shared one: committed, with no event here) is published as the change it is, marked remote, in the same version
 * sequence as this instance's writes; this instance's own writes publish nothing when their notification comes.
 */
class NodeSyncTest {
    @TempDir
    Path dir;

    final BootEnvironments envs = new ConfigLoader().embeddedDefault().bootEnvironments();
    final NodeEvents events = new NodeEvents();
    final List<NodeEvent> seen = new CopyOnWriteArrayList<>();
    final AtomicInteger begun = new AtomicInteger();
    final AtomicInteger ended = new AtomicInteger();
    H2Store store;
    NodeDirectory directory;
    NodeService nodes;
    NodeSync sync;

    @BeforeEach
    void open() {
        store = H2Store.open(dir);
        store.networks()
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
        directory = new NodeDirectory(store.nodes().list(NodeQuery.all()));
        events.subscribe(directory);
        events.subscribe(seen::add);
        NodeService.WriteGuard guard = new NodeService.WriteGuard() {
            @Override
            public void begin() {
                begun.incrementAndGet();
            }

            @Override
            public void end() {
                ended.incrementAndGet();
            }
        };
        nodes = new NodeService(store.nodes(), envs, events, Clock.systemUTC());
        sync = new NodeSync(store.nodes(), directory, events, guard);
    }

    @AfterEach
    void close() {
        store.close();
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

    @Test
    void aWriteMadeElsewhereIsPublishedAsTheChangeItIs() {
        Node made = store.nodes().create(draft("n1.cluster.test", 1), Instant.now()); // "another instance"
        assertTrue(directory.byId(made.id()).isEmpty());
        assertTrue(sync.changed(made.id()));
        assertEquals(1, seen.size());
        NodeEvent created = seen.get(0);
        assertEquals(NodeEvent.Kind.CREATED, created.kind());
        assertTrue(created.remote());
        assertEquals(1, created.version());
        assertEquals(Optional.of(made), created.after());
        assertEquals(Optional.of(made), directory.byMac(made.macs().get(0)));
        assertEquals(Optional.of(made), directory.byIpv4(made.addresses().get(0).ipv4()));
        assertFalse(sync.changed(made.id()), "told twice: nothing new");
        assertEquals(1, seen.size());

        Node renamed = store.nodes()
                .update("n1.cluster.test", NodeChange.none().withAlive(true), Instant.now())
                .after();
        assertTrue(sync.changed(made.id()));
        assertEquals(NodeEvent.Kind.UPDATED, seen.get(1).kind());
        assertEquals(Optional.of(made), seen.get(1).before());
        assertEquals(Optional.of(renamed), seen.get(1).after());
        assertEquals(2, seen.get(1).version());

        store.nodes().update("n1.cluster.test", NodeChange.none().withBootEnv("local"), Instant.now());
        assertTrue(sync.changed(made.id()));
        assertEquals(NodeEvent.Kind.BOOT_ENV_CHANGED, seen.get(2).kind());
        assertEquals("local", directory.byId(made.id()).orElseThrow().bootEnv());

        Node gone = store.nodes().delete("n1.cluster.test");
        assertTrue(sync.changed(made.id()));
        assertEquals(NodeEvent.Kind.DELETED, seen.get(3).kind());
        assertEquals(Optional.of(gone), seen.get(3).before());
        assertTrue(directory.byId(made.id()).isEmpty());
        assertTrue(directory.byMac(made.macs().get(0)).isEmpty());
        assertFalse(sync.changed(made.id()), "a node neither has");
        assertFalse(sync.changed(424242));
        assertEquals(4, seen.size());
        assertEquals(4, begun.get(), "each change published is bracketed like a local write");
        assertEquals(4, ended.get());
    }

    @Test
    void ownWritesCostNothingWhenTheirNotificationComes() {
        Node n = nodes.create(draft("n1.cluster.test", 1));
        nodes.update("n1.cluster.test", NodeChange.none().withAlive(true));
        assertEquals(2, seen.size());
        assertFalse(sync.changed(n.id()));
        assertEquals(0, sync.resync());
        nodes.delete("n1.cluster.test");
        assertFalse(sync.changed(n.id()));
        assertEquals(3, seen.size());
        assertFalse(seen.stream().anyMatch(NodeEvent::remote));
        assertEquals(0, begun.get());
    }

    @Test
    void theResyncFindsEveryDifferenceDeletionsIncluded() {
        Node kept = nodes.create(draft("kept.cluster.test", 1));
        Node changed = nodes.create(draft("changed.cluster.test", 2));
        Node deleted = nodes.create(draft("deleted.cluster.test", 3));
        seen.clear();
        // another instance's writes whose notifications were missed
        store.nodes().update("changed.cluster.test", NodeChange.none().withAlive(true), Instant.now());
        store.nodes().delete("deleted.cluster.test");
        Node created = store.nodes().create(draft("new.cluster.test", 4), Instant.now());

        assertEquals(3, sync.resync());
        List<String> got = new ArrayList<>();
        seen.forEach(e -> got.add(e.kind() + " " + e.node().name() + " v" + e.version() + " " + e.remote()));
        assertEquals(
                List.of(
                        "UPDATED changed.cluster.test v4 true",
                        "DELETED deleted.cluster.test v5 true",
                        "CREATED new.cluster.test v6 true"),
                got,
                "in id order");
        assertEquals(
                store.nodes().list(NodeQuery.all()),
                directory.all().stream()
                        .sorted((a, b) -> Long.compare(a.id(), b.id()))
                        .toList());
        assertEquals(0, sync.resync(), "nothing left to find");
        assertEquals(Optional.of(kept), directory.byId(kept.id()));
        assertTrue(directory.byId(changed.id()).orElseThrow().alive());
        assertTrue(directory.byId(deleted.id()).isEmpty());
        assertEquals(Optional.of(created), directory.byId(created.id()));
    }

    @Test
    void localWritesRacingTheSyncNeverShowAsRemoteChanges() throws Exception {
        List<Node> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            made.add(nodes.create(draft("n" + i + ".cluster.test", i + 1)));
        }
        Thread writer = new Thread(() -> {
            for (int round = 0; round < 40; round++) {
                for (int i = 0; i < 5; i++) {
                    nodes.update("n" + i + ".cluster.test", NodeChange.none().withAlive(round % 2 == 0));
                }
            }
        });
        writer.start();
        int found = 0;
        while (writer.isAlive()) {
            for (Node n : made) {
                found += sync.changed(n.id()) ? 1 : 0;
            }
            found += sync.resync();
        }
        writer.join();
        assertEquals(0, found, "every local write was in the directory before the sync compared");
        assertFalse(seen.stream().anyMatch(NodeEvent::remote));
        long v = 0;
        for (NodeEvent e : seen) {
            assertEquals(++v, e.version(), "versions in order, none skipped");
        }
    }
}
