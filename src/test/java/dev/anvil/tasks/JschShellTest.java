package dev.anvil.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JschShell#run} against a real OpenSSH {@code sshd} on loopback: a command that outlives its timeout
 * is ended on the remote side too (before the fix, {@code sleep} went on running after the call returned),
 * and commands with quotes, stdin and exit codes still arrive as they were.
 */
class JschShellTest {
    static final Node NODE = new Node(
            1,
            "n1.cluster.test",
            List.of(),
            List.of(),
            "local",
            Optional.empty(),
            true,
            true,
            NodeState.READY,
            Instant.EPOCH,
            Instant.EPOCH);

    @TempDir
    Path dir;

    OpenSshServer sshd;
    JschShell shell;

    @BeforeEach
    void setUp() throws Exception {
        OpenSshServer.assumeInstalled("JschShellTest", "ending a timed-out remote command");
        Path admin = JschShell.ensureKey(dir.resolve("admin"));
        Path host = OpenSshServer.keygen(dir, "server");
        sshd = OpenSshServer.start(dir, host, admin.resolveSibling(JschShell.KEY_FILE + ".pub"));
        shell = new JschShell(
                admin,
                System.getProperty("user.name"),
                sshd.port(),
                Duration.ofSeconds(5),
                n -> Optional.of("127.0.0.1"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    /** Processes whose command line is exactly {@code cmdline} (arguments joined by spaces). */
    static List<ProcessHandle> running(String cmdline) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info()
                        .commandLine()
                        .map(c -> c.endsWith(cmdline) && c.contains("sleep"))
                        .orElse(false))
                .toList();
    }

    @Test
    void aTimedOutCommandIsEndedOnTheNodeAndTheCallReturnsInTime() throws Exception {
        // A duration no other process on this machine sleeps for, to find the remote one by.
        String sleep = "sleep 3607";
        long start = System.nanoTime();
        IOException e = assertThrows(
                IOException.class,
                () -> shell.run(NODE, sleep + "; echo never", Optional.empty(), Duration.ofSeconds(2)));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(e.getMessage().contains("timed out after 2 s"), e.getMessage());
        assertTrue(took >= 1900 && took < 6000, "returned after " + took + " ms");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!running(sleep).isEmpty() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        List<ProcessHandle> left = running(sleep);
        List<String> seen = left.stream()
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .toList();
        left.forEach(ProcessHandle::destroyForcibly);
        assertEquals(List.of(), seen, "the remote command must not outlive the call");
        System.out.println("JschShellTest: a 2 s timeout returned after " + took + " ms, remote command gone");
    }

    @Test
    void commandsQuotesStdinAndExitCodesArriveAsTheyWere() throws Exception {
        NodeShell.Result r = shell.run(NODE, "echo 'it''s' \"a  b\"; exit 3", Optional.empty(), Duration.ofSeconds(10));
        assertEquals(3, r.exitCode());
        assertEquals("its a  b\n", r.output());
        NodeShell.Result script =
                shell.run(NODE, "sh -s", Optional.of("read x; echo got $x; exit 7\nline\n"), Duration.ofSeconds(10));
        assertEquals(7, script.exitCode(), script.output());
        String tricky = "sh -c 'echo \"it'\\''s\"'";
        assertEquals(
                tricky,
                FakeSshServer.unwrap(JschShell.bounded(tricky, Duration.ofSeconds(3))),
                "the fake server (the task tests' nodes) sees what the task meant");
        NodeShell.Result quick = shell.run(NODE, "exit 124", Optional.empty(), Duration.ofSeconds(10));
        assertEquals(124, quick.exitCode(), "124 before the time is up is the command's own status");
    }
}
