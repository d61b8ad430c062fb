package dev.anvil.store.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.auth.Role;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkDraft;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.NodeQuery;
import dev.anvil.store.StoreException;
import dev.anvil.store.TaskStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The redo journal brings back what the database file lost: an older copy of {@code anvil.mv.db} (what H2's
 * recovery finds when it misses the newest chunks after a kill -9) plus the journal opens with every
 * acknowledged write, with the ids and addresses that were acknowledged.
 */
class H2JournalTest {
    static final Instant T0 = Instant.parse("2026-12-04T00:00:00Z");
    static final Network NET = new NetworkDraft(
                    "admin",
                    1,
                    "10.10.0.0/22",
                    "10.10.0.10-10.10.3.250",
                    null,
                    "10.10.0.1",
                    "cluster.test",
                    "auto",
                    null,
                    null)
            .validate();

    @TempDir
    Path dir;

    static NodeDraft draft(int i) {
        return new NodeDraft(
                "n" + i + ".cluster.test",
                List.of(MacAddress.parse(String.format("52:54:00:00:%02x:%02x", i >> 8, i & 0xff))),
                Map.of("admin", Optional.<Ipv4Address>empty()),
                "sledgehammer",
                Optional.empty(),
                true,
                NodeState.DISCOVERING);
    }

    @Test
    void writesTheDatabaseFileLostAreReplayedWithTheirIdsAndAddresses() throws Exception {
        Path state = dir.resolve("state");
        Path old = dir.resolve("old.mv.db");
        Path journal = dir.resolve("saved.redo");
        List<Node> acked = new ArrayList<>();
        long nodeOfTask;
        TaskStore.Task task;
        long tokenId;
        H2Store store = H2Store.open(state);
        try {
            store.networks().put(NET);
            for (int i = 0; i < 5; i++) {
                acked.add(store.nodes().create(draft(i), T0));
            }
            Files.copy(state.resolve("anvil.mv.db"), old); // the file as a crash might leave it: 5 nodes
            for (int i = 5; i < 12; i++) {
                acked.add(store.nodes().create(draft(i), T0));
            }
            store.nodes().delete("n2.cluster.test");
            acked.remove(2);
            acked.add(store.nodes().create(draft(12), T0)); // takes n2's freed address
            nodeOfTask = acked.get(3).id();
            task = store.tasks().enqueue(nodeOfTask, "reboot", "{}", 3, T0, T0);
            tokenId = store.apiTokens()
                    .add("ops", Role.ADMIN, "ab".repeat(32), T0)
                    .id();
            Files.copy(state.resolve("store.redo"), journal);
        } finally {
            store.close();
        }
        assertEquals(0, Files.size(state.resolve("store.redo")), "a clean close empties the journal");
        Files.copy(old, state.resolve("anvil.mv.db"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(journal, state.resolve("store.redo"), StandardCopyOption.REPLACE_EXISTING);

        store = H2Store.open(state);
        try {
            List<Node> now = store.nodes().list(NodeQuery.all());
            assertEquals(
                    acked.stream().map(Node::name).sorted().toList(),
                    now.stream().map(Node::name).sorted().toList());
            for (Node n : acked) {
                Node back = store.nodes().get(n.name()).orElseThrow();
                assertEquals(n.id(), back.id(), n.name());
                assertEquals(n.addresses(), back.addresses(), n.name());
                assertEquals(n.macs(), back.macs(), n.name());
            }
            assertEquals(task, store.tasks().get(task.id()).orElseThrow());
            assertEquals(tokenId, store.apiTokens().list().get(0).id());
            assertEquals(1, store.nodes().history(acked.get(7).id()).size());
            // and the ids go on after the replayed ones
            Node next = store.nodes().create(draft(13), T0);
            assertTrue(next.id() > acked.stream().mapToLong(Node::id).max().orElseThrow());
        } finally {
            store.close();
        }
    }

    @Test
    void aJournalThatDisagreesWithTheFileStopsTheOpenWithAClearError() throws Exception {
        Path a = dir.resolve("a");
        H2Store store = H2Store.open(a);
        Path journal = dir.resolve("saved.redo");
        try {
            store.networks().put(NET);
            store.nodes().create(draft(1), T0);
            Files.copy(a.resolve("store.redo"), journal);
        } finally {
            store.close();
        }
        Path b = dir.resolve("b");
        H2Store.open(b).close(); // a fresh database: it has no network "admin"
        Files.copy(journal, b.resolve("store.redo"), StandardCopyOption.REPLACE_EXISTING);
        // transaction 1 follows on from the fresh file, but holds the node's insert: it meets no network
        List<RedoLog.Entry> entries = new ArrayList<>();
        try (RedoLog r = RedoLog.open(b.resolve("store.redo"), false)) {
            r.forEach(entries::add);
            r.reset();
            r.append(1, entries.get(1).statements());
        }
        StoreException e = assertThrows(StoreException.class, () -> H2Store.open(b));
        assertTrue(e.getMessage().contains("cannot replay transaction 1 of the store journal"), e.getMessage());
        assertTrue(e.getMessage().contains("Move the journal aside"), e.getMessage());
    }

    @Test
    void aJournalThatDoesNotFollowOnFromTheFileIsRefused() throws Exception {
        Path state = dir.resolve("state");
        Path old = dir.resolve("old.mv.db");
        Path journal = dir.resolve("saved.redo");
        H2Store store = H2Store.open(state);
        try {
            store.networks().put(NET);
            store.nodes().create(draft(1), T0);
        } finally {
            store.close();
        }
        Files.copy(state.resolve("anvil.mv.db"), old); // a backup: the file ends at transaction 2
        store = H2Store.open(state);
        try {
            store.nodes().create(draft(2), T0);
        } finally {
            store.close(); // clean: the journal is emptied, the file holds transaction 3
        }
        store = H2Store.open(state);
        try {
            store.nodes().create(draft(3), T0); // transaction 4, journaled
            Files.copy(state.resolve("store.redo"), journal);
        } finally {
            store.close();
        }
        Files.copy(old, state.resolve("anvil.mv.db"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(journal, state.resolve("store.redo"), StandardCopyOption.REPLACE_EXISTING);
        StoreException e = assertThrows(StoreException.class, () -> H2Store.open(state));
        assertTrue(
                e.getMessage()
                        .contains("does not follow on from the database file: it holds transaction 4 next, "
                                + "the file ends at 2"),
                e.getMessage());
        Files.delete(state.resolve("store.redo")); // what the operator guide says to do after a restore
        store = H2Store.open(state);
        try {
            assertEquals(
                    List.of("n1.cluster.test"),
                    store.nodes().list(NodeQuery.all()).stream().map(Node::name).toList());
        } finally {
            store.close();
        }
    }

    @Test
    void theJournalIsEmptiedWhenItPassesItsBoundWhileReadersGoOn() throws Exception {
        Path state = dir.resolve("state");
        H2Store bounded = H2Store.open(state, false, 8 << 10);
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try {
            bounded.networks().put(NET);
            List<Future<?>> reads = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                reads.add(readers.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        bounded.nodes().list(NodeQuery.all());
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 200; i++) {
                bounded.nodes().create(draft(i), T0);
                assertTrue(Files.size(state.resolve("store.redo")) <= (8 << 10) + 4096, "journal bounded");
            }
            for (Future<?> f : reads) {
                f.get();
            }
        } finally {
            readers.shutdown();
            bounded.close();
        }
        H2Store store = H2Store.open(state);
        try {
            assertEquals(200, store.nodes().list(NodeQuery.all()).size());
        } finally {
            store.close();
        }
    }
}
