package dev.anvil.store.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease journal compacts itself in the background while appends go on: nothing flushed is ever lost,
 * neither after a clean close nor in a copy of the files taken at any moment (what a kill -9 leaves).
 */
class JournalLeaseStoreTest {
    static final int ADDRESSES = 2_000;
    static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

    @TempDir
    Path dir;

    static Lease lease(int i, long seq) {
        return new Lease(
                Ipv4Address.ofUnsigned(0x0A000000L + i),
                MacAddress.parse(String.format("52:54:00:00:%02x:%02x", i >> 8, i & 0xff)),
                "admin",
                T0.plusSeconds(seq),
                Lease.State.ACTIVE);
    }

    static Map<Ipv4Address, Instant> expiries(Iterable<Lease> leases) {
        Map<Ipv4Address, Instant> m = new HashMap<>();
        leases.forEach(l -> m.put(l.ip(), l.expires()));
        return m;
    }

    @Test
    void compactionsInTheBackgroundLoseNothing() throws Exception {
        Path state = dir.resolve("state");
        Map<Ipv4Address, Instant> last = new HashMap<>();
        JournalLeaseStore s = JournalLeaseStore.open(state);
        long seq = 0;
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < ADDRESSES; i++) {
                Lease l = lease(i, ++seq);
                s.write(l);
                last.put(l.ip(), l.expires());
                if (seq % 50 == 0) {
                    s.flush();
                }
            }
        }
        s.flush();
        s.close();
        long lines = Files.readAllLines(state.resolve(JournalLeaseStore.FILE)).size();
        assertTrue(lines < 40L * ADDRESSES, "the journal was compacted: " + lines + " lines");
        JournalLeaseStore again = JournalLeaseStore.open(state);
        assertEquals(last, expiries(again.load()));
        again.close();
    }

    @Test
    void aCopyTakenAtAnyMomentHoldsEverythingFlushedBeforeIt() throws Exception {
        Path state = dir.resolve("live");
        JournalLeaseStore s = JournalLeaseStore.open(state);
        Map<Ipv4Address, Instant> flushed = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            long seq = 0;
            Map<Ipv4Address, Instant> batch = new HashMap<>();
            while (!stop.get()) {
                for (int i = 0; i < ADDRESSES && !stop.get(); i++) {
                    Lease l = lease(i, ++seq);
                    s.write(l);
                    batch.put(l.ip(), l.expires());
                    if (seq % 64 == 0) {
                        s.flush();
                        flushed.putAll(batch); // only now acknowledged
                        batch.clear();
                    }
                }
            }
        });
        writer.start();
        try {
            for (int copy = 0; copy < 25; copy++) {
                Thread.sleep(40);
                Map<Ipv4Address, Instant> before = new HashMap<>(flushed);
                Path snapshot = Files.createDirectories(dir.resolve("copy" + copy));
                Files.copy(state.resolve(JournalLeaseStore.FILE), snapshot.resolve(JournalLeaseStore.FILE));
                JournalLeaseStore replayed = JournalLeaseStore.open(snapshot);
                Map<Ipv4Address, Instant> got = expiries(replayed.load());
                replayed.close();
                for (Map.Entry<Ipv4Address, Instant> e : before.entrySet()) {
                    Instant g = got.get(e.getKey());
                    assertTrue(
                            g != null && !g.isBefore(e.getValue()),
                            "copy " + copy + " lost " + e.getKey() + ": flushed " + e.getValue() + ", found " + g);
                }
            }
        } finally {
            stop.set(true);
            writer.join();
            s.close();
        }
    }

    @Test
    void commitsRunTheirFollowUpOnlyAfterASyncAndOneSyncServesEveryCommitThatWaited() throws Exception {
        Path state = dir.resolve("group");
        JournalLeaseStore s = JournalLeaseStore.open(state);
        int commits = 2_000;
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(commits);
        java.util.concurrent.atomic.AtomicInteger early = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < commits; i++) {
            s.write(lease(i, i));
            long syncsBefore = s.syncCounts()[0];
            s.commit(
                    () -> {
                        if (s.syncCounts()[0] <= syncsBefore) {
                            early.incrementAndGet(); // ran before any sync that followed its commit
                        }
                        done.countDown();
                    },
                    e -> {});
        }
        assertTrue(done.await(60, java.util.concurrent.TimeUnit.SECONDS), "every commit's follow-up ran");
        assertEquals(0, early.get(), "no follow-up before its sync");
        long[] c = s.syncCounts();
        assertEquals(commits, c[1], "every commit served by a sync");
        assertTrue(c[0] >= 1 && c[0] < commits, "commits that waited shared syncs: " + c[0] + " syncs for " + commits);
        // What a commit covered is in the file (in the OS before the call returned, on the disk before follow-up).
        assertEquals(
                commits,
                Files.readAllLines(state.resolve(JournalLeaseStore.FILE)).size());
        s.close();
        org.junit.jupiter.api.Assertions.assertThrows(
                dev.anvil.store.StoreException.class,
                () -> s.commit(() -> {}, e -> {}),
                "a closed journal takes no commit");
        assertEquals(commits, JournalLeaseStore.open(state).load().size());
    }
}
