package dev.anvil.dhcp.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.node.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotKeeperTest {
    @TempDir
    Path dir;

    final List<Node> nodes = new CopyOnWriteArrayList<>();

    DhcpSnapshot current() {
        return new DhcpSnapshot(
                new byte[] {1},
                dir,
                SnapshotCodecTest.CFG.dhcp(),
                8081,
                List.of(),
                SnapshotCodecTest.CFG.networks(),
                List.copyOf(nodes));
    }

    static void await(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.get());
    }

    int nodesOnDisk() throws Exception {
        return SnapshotKeeper.read(dir).orElseThrow().nodes().size();
    }

    @Test
    void writtenAtStartRemovedBeforeAWriteAndRewrittenAfterIt() throws Exception {
        SnapshotKeeper k = new SnapshotKeeper(dir, this::current);
        k.start();
        Path file = dir.resolve(SnapshotKeeper.FILE);
        await(() -> Files.exists(file));
        assertEquals(0, nodesOnDisk());
        k.begin();
        assertFalse(Files.exists(file), "gone before the write can commit");
        nodes.add(SnapshotCodecTest.node(1, "n1.cluster.test", "local", List.of(0x525400000001L), List.of()));
        Thread.sleep(SnapshotKeeper.DELAY_MS * 2);
        assertFalse(Files.exists(file), "not rewritten while the write is in flight");
        k.end();
        await(() -> Files.exists(file));
        assertEquals(1, nodesOnDisk());
        k.close();
    }

    @Test
    void aRewriteThatAWriteOvertookIsNotPutInPlace() throws Exception {
        SnapshotKeeper[] keeper = new SnapshotKeeper[1];
        boolean[] once = {true};
        keeper[0] = new SnapshotKeeper(dir, () -> {
            DhcpSnapshot s = current();
            if (once[0]) {
                once[0] = false;
                keeper[0].begin(); // a write begins while the snapshot is being built
            }
            return s;
        });
        assertFalse(keeper[0].writeNow());
        assertFalse(Files.exists(dir.resolve(SnapshotKeeper.FILE)));
        keeper[0].end();
        assertTrue(keeper[0].writeNow());
        assertTrue(Files.exists(dir.resolve(SnapshotKeeper.FILE)));
    }

    @Test
    void aFileFromBeforeIsRemovedByTheFirstWriteAndCloseWritesWhatIsDue() throws Exception {
        Path file = dir.resolve(SnapshotKeeper.FILE);
        Files.write(file, SnapshotCodec.encode(current()));
        SnapshotKeeper k = new SnapshotKeeper(dir, this::current);
        k.begin();
        assertFalse(Files.exists(file));
        nodes.add(SnapshotCodecTest.node(1, "n1.cluster.test", "local", List.of(0x525400000001L), List.of()));
        k.end();
        k.close();
        assertEquals(1, nodesOnDisk());
    }

    @Test
    void aFailedWriteStillEnds() throws Exception {
        SnapshotKeeper k = new SnapshotKeeper(dir, this::current);
        dev.anvil.app.NodeService.WriteGuard g = k;
        try {
            g.begin();
            throw new IllegalStateException("the store refused");
        } catch (IllegalStateException expected) {
            g.end();
        }
        assertTrue(k.writeNow());
    }
}
