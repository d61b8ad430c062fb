package dev.anvil.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.os.OsTrees;
import dev.anvil.os.TestTrees;
import dev.anvil.store.TaskStore;
import dev.anvil.store.TaskStore.Task;
import dev.anvil.store.TaskStore.TaskState;
import dev.anvil.store.h2.H2Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The import queue's task bookkeeping over the real H2 store and real tools: imports run off the caller's
 * thread as durable tasks with progress, one per OS and at most {@code maxImports} at once, a stop kills the
 * running one, and a restart fails what it finds and cleans up after it.
 */
class ImportQueueTest {
    static final int SLOW_FILES = 20_000;

    @TempDir
    static Path shared;

    static Path slow;
    static Path small;
    static Path centos;

    @TempDir
    Path tmp;

    H2Store store;
    Path root;
    ImportQueue queue;

    @BeforeAll
    static void sources() throws Exception {
        slow = TestTrees.fedora(shared.resolve("slow"), SLOW_FILES);
        small = TestTrees.fedora(shared.resolve("small"), 0);
        centos = shared.resolve("centos");
        Files.createDirectories(centos.resolve("images/pxeboot"));
        Files.writeString(centos.resolve("images/pxeboot/vmlinuz"), "KERNEL-CENTOS");
        Files.writeString(centos.resolve("images/pxeboot/initrd.img"), "I");
    }

    @BeforeEach
    void open() {
        store = H2Store.open(tmp.resolve("state"));
        root = tmp.resolve("install");
    }

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
        store.close();
    }

    ImportQueue start(int maxImports, Duration timeout) {
        return start(maxImports, new OsTrees(root, TestTrees.ENVS, timeout));
    }

    ImportQueue start(int maxImports, OsTrees trees) {
        queue = new ImportQueue(trees, store.tasks(), maxImports, Clock.systemUTC(), "a1");
        queue.start();
        return queue;
    }

    Task task(long id) {
        return store.tasks().get(id).orElseThrow();
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void anImportIsADurableTaskThatRunsOffTheCallersThreadWithProgress() throws Exception {
        start(2, Duration.ofMinutes(5));
        Task t = queue.submit("fedora-40", slow);
        assertEquals(TaskState.QUEUED, t.state());
        assertEquals(Task.NO_NODE, t.nodeId());
        assertEquals(ImportQueue.KIND, t.kind());
        assertEquals(Optional.of(new ImportQueue.Request("fedora-40", slow)), ImportQueue.Request.of(t));
        assertNotEquals(TaskState.DONE, task(t.id()).state(), "submit returns before the copy is done");
        await(
                "progress while cp runs",
                () -> task(t.id()).state() == TaskState.RUNNING
                        && task(t.id())
                                .progress()
                                .map(p -> p.files() > 0 && p.files() < SLOW_FILES + 2)
                                .orElse(false));
        await("done", () -> task(t.id()).state() == TaskState.DONE);
        Task done = task(t.id());
        assertEquals(Optional.of(new TaskStore.Progress(SLOW_FILES + 2, 14)), done.progress());
        assertTrue(done.log().contains("import of fedora-40 from " + slow), done.log());
        assertTrue(
                done.log()
                        .contains("imported " + (SLOW_FILES + 2) + " files, 14 bytes into " + root.resolve("fedora-40")
                                + " with cp in "),
                done.log());
        assertEquals(1, done.attempts());
        assertTrue(done.startedAt().isPresent() && done.finishedAt().isPresent());
        assertEquals("KERNEL-FEDORA", Files.readString(root.resolve("fedora-40/images/pxeboot/vmlinuz")));
        assertEquals(1L, queue.metrics().get("done"));
    }

    @Test
    void oneImportPerOsAndAtMostMaxImportsAtOnceTheRestWait() throws Exception {
        start(1, Duration.ofMinutes(5));
        Task first = queue.submit("fedora-40", slow);
        ConflictException c = assertThrows(ConflictException.class, () -> queue.submit("fedora-40", small));
        assertTrue(
                c.getMessage().contains("an import of fedora-40 is already queued or running (task " + first.id()),
                c.getMessage());
        Task second = queue.submit("centos-stream-9", centos);
        await("the first running", () -> task(first.id()).state() == TaskState.RUNNING);
        assertEquals(TaskState.QUEUED, task(second.id()).state());
        assertEquals(Optional.of("waiting for an import slot (1 of 1 running)"), queue.blockedBy(task(second.id())));
        assertEquals(1, queue.metrics().get("queued"));
        await("both done", () -> task(second.id()).state() == TaskState.DONE);
        assertEquals(TaskState.DONE, task(first.id()).state());
        Instant firstEnd = task(first.id()).finishedAt().orElseThrow();
        assertFalse(task(second.id()).startedAt().orElseThrow().isBefore(firstEnd), "never two at once");
        assertEquals(Optional.empty(), queue.blockedBy(task(second.id())));
        queue.submit("fedora-40", small); // the OS is free again
        // Refused before any task exists: what can be checked at once.
        assertThrows(InvalidInputException.class, () -> queue.submit("fedora-40", tmp.resolve("nope")));
    }

    @Test
    void aTimedOutImportFailsTheTaskWithTheReason() throws Exception {
        Path bin = TestTrees.hangingExtractor(tmp.resolve("bin"));
        start(2, new OsTrees(root, TestTrees.ENVS, Duration.ofMillis(300), bin.toString()));
        Path iso = Files.writeString(tmp.resolve("hung.iso"), "never read");
        Task t = queue.submit("fedora-40", iso);
        await("failed", () -> task(t.id()).state() == TaskState.FAILED);
        Task failed = task(t.id());
        assertTrue(
                failed.error()
                        .orElseThrow()
                        .contains("xorriso ran past the import timeout of 300 ms "
                                + "(install.importTimeoutSeconds) and was killed"),
                failed.error().orElseThrow());
        assertTrue(failed.log().contains("failed: import of fedora-40 from " + iso), failed.log());
        assertEquals(List.of(), TestTrees.leftovers(root));
        for (long pid : TestTrees.extractorPids(bin)) {
            assertTrue(TestTrees.gone(pid), "pid " + pid + " killed");
        }
        assertEquals(1L, queue.metrics().get("timedOut"));
        assertEquals(1L, queue.metrics().get("failed"));
    }

    @Test
    void stoppingKillsTheRunningImportAndFailsIt() throws Exception {
        Path bin = TestTrees.hangingExtractor(tmp.resolve("bin"));
        start(2, new OsTrees(root, TestTrees.ENVS, Duration.ofMinutes(5), bin.toString()));
        Task t = queue.submit("fedora-40", Files.writeString(tmp.resolve("hung.iso"), "never read"));
        await(
                "running",
                () -> task(t.id()).state() == TaskState.RUNNING
                        && task(t.id()).progress().isPresent());
        long t0 = System.nanoTime();
        queue.close();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "close does not wait for the extractor");
        Task failed = task(t.id());
        assertEquals(TaskState.FAILED, failed.state());
        assertTrue(
                failed.error().orElseThrow().contains("xorriso was killed: anvild is stopping"),
                failed.error().orElseThrow());
        assertEquals(List.of(), TestTrees.leftovers(root));
        List<Long> pids = TestTrees.extractorPids(bin);
        assertEquals(2, pids.size(), pids.toString());
        for (long pid : pids) {
            assertTrue(TestTrees.gone(pid), "pid " + pid + " killed");
        }
    }

    @Test
    void aRestartFailsTheImportsItFindsKillsTheirToolsAndCleansUp() throws Exception {
        // What a SIGKILLed daemon leaves: one import running (its tool still at work in its scratch directory, the
        // previous tree set aside), one queued.
        Instant now = Instant.now();
        Task running =
                store.tasks().enqueue(Task.NO_NODE, ImportQueue.KIND, "os: fedora-40\nsource: " + slow, 1, now, now);
        assertTrue(store.tasks().claim(running.id(), "a1", now));
        store.tasks().progress(running.id(), "a1", new TaskStore.Progress(5, 50));
        Task queued = store.tasks()
                .enqueue(Task.NO_NODE, ImportQueue.KIND, "os: centos-stream-9\nsource: " + centos, 1, now, now);
        OsTrees trees = new OsTrees(root, TestTrees.ENVS, Duration.ofMinutes(5));
        Path scratch = Files.createDirectories(trees.scratch("fedora-40", ImportQueue.tag(running.id())));
        Files.writeString(scratch.resolve("partial"), "x");
        TestTrees.fedora(root.resolve(".old-fedora-40-" + ImportQueue.tag(running.id())), 0);
        Process orphan =
                new ProcessBuilder("tail", "-f", scratch.resolve("partial").toString()).start();

        start(2, Duration.ofMinutes(5));
        for (Task t : List.of(running, queued)) {
            Task after = task(t.id());
            assertEquals(TaskState.FAILED, after.state());
            assertEquals(Optional.of("interrupted by a restart"), after.error());
        }
        assertEquals(
                Optional.of(new TaskStore.Progress(5, 50)), task(running.id()).progress());
        assertTrue(orphan.waitFor(10, TimeUnit.SECONDS), "the tool the dead daemon left is killed");
        await("the scratch directory removed", () -> !Files.exists(scratch));
        assertEquals(List.of(), TestTrees.leftovers(root));
        assertEquals(
                "KERNEL-FEDORA",
                Files.readString(root.resolve("fedora-40/images/pxeboot/vmlinuz")),
                "the tree the cut-off import had set aside is back");
        Task again = queue.submit("fedora-40", small);
        await("a new import", () -> task(again.id()).state() == TaskState.DONE);
    }
}
