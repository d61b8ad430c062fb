package dev.anvil.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.LifecycleConfig;
import dev.anvil.core.node.HistoryEntry;
import dev.anvil.core.node.HostKey;
import dev.anvil.core.node.HostKeyMismatch;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.TaskStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host key pinning against a real OpenSSH {@code sshd} the test starts on loopback (a high port, its own
 * freshly made host key and an authorized_keys with the admin key, in a temp dir). A node whose pinned key is
 * not the server's is flagged with the presented fingerprint, is not alive, and its reboot task fails with
 * the reason; a node whose pinned key is the server's logs in and becomes ready. Skipped (loudly) only when
 * sshd is not installed (Debian package openssh-server).
 */
class HostKeyPinningTest {
    @TempDir
    Path dir;

    OpenSshServer sshd;
    int port;
    HostKey serverKey;
    HostKey otherKey;
    TestNodes w;
    JschShell shell;
    Aliveness aliveness;
    final Clock clock = Clock.systemUTC();

    @BeforeEach
    void setUp() throws Exception {
        OpenSshServer.assumeInstalled("HostKeyPinningTest", "host key pinning");
        Path admin = JschShell.ensureKey(dir.resolve("admin"));
        serverKey = keygen("server");
        otherKey = keygen("other");
        Files.copy(dir.resolve("admin/id_rsa.pub"), dir.resolve("authorized_keys"));
        sshd = OpenSshServer.start(dir, dir.resolve("server_ed25519_key"), dir.resolve("authorized_keys"));
        port = sshd.port();

        w = new TestNodes(dir.resolve("state"), clock);
        // Every node is this one sshd on 127.0.0.1, whatever address it was given.
        java.util.function.Function<Node, Optional<String>> host = n -> Optional.of("127.0.0.1");
        // As Anvild wires it: pinned keys by node id from the directory, a mismatch flags the node.
        shell = new JschShell(
                admin,
                System.getProperty("user.name"),
                port,
                Duration.ofSeconds(5),
                host,
                id -> w.directory.byId(id).map(Node::hostKeys).orElse(List.of()),
                new JschShell.HostKeyListener() {
                    @Override
                    public void mismatch(Node node, HostKeyMismatch seen) {
                        w.provisioning.hostKeyMismatch(node, seen);
                    }

                    @Override
                    public void verified(Node node) {
                        w.provisioning.hostKeyVerified(node);
                    }
                },
                clock);
        aliveness = new Aliveness(
                w.directory::all,
                shell,
                host,
                Duration.ZERO,
                (n, alive) ->
                        w.provisioning.alive(n, alive, "aliveness", alive ? "answers ping and SSH" : "no answer"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (w != null) {
            w.store.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    HostKey keygen(String name) throws Exception {
        return HostKey.parse(Files.readString(Path.of(OpenSshServer.keygen(dir, name) + ".pub")));
    }

    /** A node through discovery, install and the install-complete callback with {@code keys}. */
    Node installed(int i, List<HostKey> keys) {
        Node n = w.provisioning
                .discover(MacAddress.parse(String.format("52:54:00:00:01:%02x", i)), List.of(), "{}")
                .node();
        w.provisioning.install(n.name(), "debian-12", "test");
        w.provisioning.installerStarted(w.nodes.get(n.name()).orElseThrow());
        return w.provisioning.installComplete(n.name(), keys, x -> true, () -> {});
    }

    Node now(Node n) {
        return w.directory.byId(n.id()).orElseThrow();
    }

    List<String> events(Node n) {
        return w.nodes.history(n).stream().map(HistoryEntry::event).toList();
    }

    @Test
    void aServerPresentingAnotherKeyIsFlaggedAndNotAlive() throws Exception {
        Node n = installed(1, List.of(otherKey));
        assertEquals(List.of(otherKey), now(n).hostKeys());

        assertFalse(aliveness.check(now(n)), "a login to a server with another host key must fail");
        Node flagged = now(n);
        HostKeyMismatch m = flagged.hostKeyMismatch().orElseThrow(() -> new AssertionError("not flagged"));
        assertEquals("ssh-ed25519", m.type());
        assertEquals(Optional.of(serverKey.fingerprint()), m.fingerprint(), "the presented key's fingerprint");
        assertFalse(flagged.alive());
        assertEquals(NodeState.INSTALLED, flagged.state(), "not booted: it never answered as itself");
        HistoryEntry h = w.nodes.history(n).get(w.nodes.history(n).size() - 1);
        assertEquals("host-key-mismatch", h.event());
        assertTrue(
                h.reason().orElseThrow().contains(serverKey.fingerprint()),
                h.reason().toString());
        assertTrue(h.reason().orElseThrow().contains(otherKey.fingerprint()), "names the pinned key");

        // The periodic check again: still refused, no second history entry for the same key.
        aliveness.sweep();
        Thread.sleep(1500);
        assertFalse(now(n).alive());
        assertEquals(
                1,
                events(n).stream().filter("host-key-mismatch"::equals).count(),
                events(n).toString());

        // A reboot task against it fails with the reason and sends nothing.
        IOException e = assertThrows(
                NodeShell.HostKeyMismatchException.class,
                () -> shell.run(now(n), "echo hi", Optional.empty(), Duration.ofSeconds(5)));
        assertTrue(
                e.getMessage().contains("host key mismatch") && e.getMessage().contains(serverKey.fingerprint()),
                e.getMessage());
    }

    @Test
    void aRebootTaskAgainstAnotherKeyFailsWithTheReason() throws Exception {
        Node n = installed(2, List.of(otherKey));
        // As if it had answered before: the task runs (a flagged node's tasks wait, blocked by the mismatch).
        w.nodes.update(n.name(), NodeChange.none().withAlive(true));
        LifecycleConfig lc = new LifecycleConfig(
                "d{mac}",
                2,
                Duration.ofSeconds(10),
                3,
                Duration.ofMillis(100),
                "root",
                port,
                Duration.ofSeconds(5),
                Duration.ZERO,
                Duration.ofSeconds(3),
                List.of());
        TaskQueue queue = new TaskQueue(
                w.store.tasks(),
                w.directory::byId,
                shell,
                lc,
                clock,
                x -> w.nodes.update(x.name(), NodeChange.none().withAlive(false)),
                dev.anvil.core.timeline.Timeline.NONE,
                dev.anvil.core.power.NodePower.NONE,
                "a1",
                false);
        queue.start();
        try {
            TaskStore.Task t = queue.reboot(now(n));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            TaskStore.Task done = w.store.tasks().get(t.id()).orElseThrow();
            while (done.state() != TaskStore.TaskState.FAILED && System.nanoTime() < end) {
                Thread.sleep(50);
                done = w.store.tasks().get(t.id()).orElseThrow();
            }
            assertEquals(TaskStore.TaskState.FAILED, done.state(), done.log());
            assertEquals(1, done.attempts(), "not retried: " + done.log());
            assertTrue(
                    done.error().orElseThrow().contains("host key mismatch"),
                    done.error().toString());
            assertTrue(done.log().contains(serverKey.fingerprint()), done.log());
            assertTrue(now(n).hostKeyMismatch().isPresent());
            assertEquals(
                    Optional.of("host key mismatch: presented ssh-ed25519 key " + serverKey.fingerprint()),
                    queue.blockedBy(queue.reboot(now(n))),
                    "later tasks wait, saying why");
        } finally {
            queue.close();
        }
    }

    @Test
    void aServerPresentingThePinnedKeyLogsInAndTheNodeIsReady() throws Exception {
        Node n = installed(3, List.of(otherKey, serverKey));
        assertTrue(aliveness.check(now(n)), "the pinned key must log in: " + sshd.log());
        w.provisioning.alive(now(n), true, "aliveness", "answers ping and SSH");
        assertEquals(NodeState.READY, now(n).state());
        assertTrue(now(n).hostKeyMismatch().isEmpty());
        NodeShell.Result r = shell.run(now(n), "echo pinned-ok", Optional.empty(), Duration.ofSeconds(10));
        assertEquals(0, r.exitCode());
        assertTrue(r.output().contains("pinned-ok"), r.output());

        // A flag from an earlier mismatch goes when the node presents its pinned key again; history keeps both.
        w.provisioning.hostKeyMismatch(
                now(n), new HostKeyMismatch("ssh-ed25519", Optional.of("SHA256:x"), clock.instant()));
        assertTrue(now(n).hostKeyMismatch().isPresent());
        assertTrue(shell.login(now(n)));
        assertTrue(now(n).hostKeyMismatch().isEmpty());
        assertTrue(
                events(n).containsAll(List.of("host-key-mismatch", "host-key-verified")),
                events(n).toString());
    }

    @Test
    void aServerOfferingNoKeyOfAPinnedTypeIsFlaggedToo() throws Exception {
        Path rsa = dir.resolve("rsa_key");
        OpenSshServer.exec(List.of("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", rsa.toString()));
        Node n = installed(6, List.of(HostKey.parse(Files.readString(dir.resolve("rsa_key.pub")))));
        assertFalse(aliveness.check(now(n)));
        HostKeyMismatch m = now(n).hostKeyMismatch().orElseThrow(() -> new AssertionError("not flagged"));
        assertEquals(Optional.empty(), m.fingerprint());
        assertTrue(m.type().contains("ssh-ed25519"), "names what the server offered: " + m.type());
    }

    @Test
    void aNodeWithoutPinnedKeysLogsInAsBefore() throws Exception {
        Node n = installed(4, List.of());
        assertTrue(now(n).hostKeys().isEmpty());
        assertTrue(aliveness.check(now(n)));
        assertTrue(now(n).hostKeyMismatch().isEmpty());
    }

    @Test
    void aNewInstallForgetsTheKeys() throws Exception {
        Node n = installed(5, List.of(otherKey));
        assertFalse(aliveness.check(now(n)));
        assertTrue(now(n).hostKeyMismatch().isPresent());
        w.provisioning.redeploy(n.name(), "test");
        assertTrue(now(n).hostKeys().isEmpty());
        assertTrue(now(n).hostKeyMismatch().isEmpty());
        assertEquals(List.of(), w.store.nodes().get(n.name()).orElseThrow().hostKeys(), "stored too");
        w.provisioning.discover(n.macs().get(0), List.of(), "{}");
        w.provisioning.install(n.name(), "debian-12", "test");
        w.provisioning.installerStarted(now(n));
        w.provisioning.installComplete(n.name(), List.of(serverKey), x -> true, () -> {});
        assertEquals(
                List.of(serverKey), w.store.nodes().get(n.name()).orElseThrow().hostKeys());
        w.provisioning.fail(n.name(), "test", "disk replaced");
        assertEquals(List.of(serverKey), now(n).hostKeys(), "a failure alone keeps them");
        w.provisioning.install(n.name(), "debian-12", "test");
        assertEquals(NodeState.INSTALL_PENDING, now(n).state());
        assertTrue(w.store.nodes().get(n.name()).orElseThrow().hostKeys().isEmpty(), "install-pending forgets them");
    }
}
