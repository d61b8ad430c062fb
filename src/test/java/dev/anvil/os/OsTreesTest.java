package dev.anvil.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports with the real tools ({@code cp}, {@code chmod}) and a fake {@code xorriso} that hangs: the timeout
 * kills a tool that runs past it, with the processes it started, and leaves nothing behind; progress is
 * reported while a tool runs, and a cut-off import is discarded.
 */
class OsTreesTest {
    /** Enough files that {@code cp -a} takes well over the first progress sample (250 ms): ~0.7 s here. */
    static final int SLOW_FILES = 12_000;

    @TempDir
    static Path shared;

    static Path slow;

    @TempDir
    Path tmp;

    @BeforeAll
    static void slowTree() throws Exception {
        slow = TestTrees.fedora(shared.resolve("slow"), SLOW_FILES);
    }

    @Test
    // Without a timeout that fires, the import waits 600 s for the extractor (on a read no interrupt ends).
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aHungExtractorAndTheProcessesItStartedAreKilledAtTheTimeout() throws Exception {
        Path root = tmp.resolve("install");
        Path bin = TestTrees.hangingExtractor(tmp.resolve("bin"));
        Path iso = Files.writeString(tmp.resolve("fedora.iso"), "not read: the extractor hangs");
        OsTrees trees = new OsTrees(root, TestTrees.ENVS, Duration.ofMillis(300), bin.toString());
        long t0 = System.nanoTime();
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> trees.importTree("fedora-40", iso));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(
                e.first()
                        .message()
                        .contains("xorriso ran past the import timeout of 300 ms "
                                + "(install.importTimeoutSeconds) and was killed"),
                e.first().message());
        assertTrue(ms < 3000, "the import ended at its timeout: " + ms + " ms");
        List<Long> pids = TestTrees.extractorPids(bin);
        assertEquals(2, pids.size(), "the script and its child ran: " + pids);
        for (long pid : pids) {
            assertTrue(TestTrees.gone(pid), "pid " + pid + " was killed");
        }
        assertEquals(List.of(), TestTrees.leftovers(root), "no scratch directory left");
        assertFalse(Files.exists(root.resolve("fedora-40")));
        assertEquals(1, trees.timedOut());
    }

    @Test
    void progressIsReportedWhileTheToolRunsAndAtTheEnd() throws Exception {
        Path root = tmp.resolve("install");
        OsTrees trees = new OsTrees(root, TestTrees.ENVS, Duration.ofMinutes(5));
        List<long[]> seen = new CopyOnWriteArrayList<>();
        OsTrees.Imported i = trees.importTree("fedora-40", slow, "t1", (f, b) -> seen.add(new long[] {f, b}));
        assertEquals(SLOW_FILES + 2, i.files());
        assertEquals(14, i.bytes());
        assertEquals("cp", i.tool());
        assertTrue(seen.size() >= 2, "a sample while cp ran, and the end: " + seen.size());
        assertTrue(seen.get(0)[0] < SLOW_FILES + 2, "the first sample is taken while cp copies: " + seen.get(0)[0]);
        assertEquals(SLOW_FILES + 2, seen.get(seen.size() - 1)[0]);
        assertEquals(14, seen.get(seen.size() - 1)[1]);
        for (int k = 1; k < seen.size(); k++) {
            assertTrue(seen.get(k)[0] >= seen.get(k - 1)[0], "never backwards");
        }
        assertEquals("KERNEL-FEDORA", Files.readString(root.resolve("fedora-40/images/pxeboot/vmlinuz")));
        assertEquals(List.of(), TestTrees.leftovers(root));
    }

    @Test
    void whatCanBeCheckedAtOnceIsRefusedAtOnce() throws Exception {
        OsTrees trees = new OsTrees(tmp.resolve("install"), TestTrees.ENVS, Duration.ofMinutes(5));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThrows(NotFoundException.class, () -> trees.check("plan9", empty));
        assertTrue(assertThrows(InvalidInputException.class, () -> trees.check("fedora-40", tmp.resolve("nope")))
                .first()
                .message()
                .endsWith("does not exist"));
        assertTrue(assertThrows(InvalidInputException.class, () -> trees.check("fedora-40", empty))
                .first()
                .message()
                .contains("does not hold images/pxeboot/vmlinuz and images/pxeboot/initrd.img"));
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertTrue(assertThrows(InvalidInputException.class, () -> trees.check("fedora-40", fifo))
                .first()
                .message()
                .contains("is neither an ISO file nor a directory"));
        Path ok = TestTrees.fedora(tmp.resolve("ok"), 0);
        assertEquals(ok, trees.check("fedora-40", ok));
    }

    @Test
    void discardKillsAToolLeftRunningPutsThePreviousTreeBackAndRemovesTheScratch() throws Exception {
        Path root = tmp.resolve("install");
        OsTrees trees = new OsTrees(root, TestTrees.ENVS, Duration.ofMinutes(5));
        // What a SIGKILLed daemon leaves in the middle of a swap: the old tree set aside, the new one not yet in
        // place, and a tool of the import still running in the scratch directory (tail -f never ends by itself).
        Path scratch = Files.createDirectories(trees.scratch("fedora-40", "task-7"));
        Files.writeString(scratch.resolve("partial"), "x");
        Path old = TestTrees.fedora(root.resolve(".old-fedora-40-task-7"), 3);
        Process orphan =
                new ProcessBuilder("tail", "-f", scratch.resolve("partial").toString()).start();
        assertTrue(orphan.isAlive());
        trees.discard("fedora-40", "task-7");
        assertTrue(orphan.waitFor(5, TimeUnit.SECONDS), "the tool is killed");
        assertEquals(
                "KERNEL-FEDORA",
                Files.readString(root.resolve("fedora-40/images/pxeboot/vmlinuz")),
                "the previous tree is back");
        assertEquals(List.of(), TestTrees.leftovers(root));
        assertFalse(Files.exists(old));
    }

    @Test
    void aReadOnlyScratchTreeIsRemovedToo() throws Exception {
        Path root = tmp.resolve("install");
        OsTrees trees = new OsTrees(root, TestTrees.ENVS, Duration.ofMinutes(5));
        Path scratch = trees.scratch("fedora-40", "task-8");
        Path deep = Files.createDirectories(scratch.resolve("a/b"));
        Files.writeString(deep.resolve("f"), "x");
        assertEquals(
                0,
                new ProcessBuilder("chmod", "-R", "a-w", scratch.toString())
                        .start()
                        .waitFor());
        trees.discard("fedora-40", "task-8");
        assertEquals(List.of(), TestTrees.leftovers(root), "an ISO's read-only directories do not stop the removal");
    }
}
