package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.store.pg.PostgresServer;
import dev.anvil.tasks.FakeSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real anvild processes on one real PostgreSQL server (doc/scale-out.md): a reboot task runs on the node (a
 * real SSH server in this JVM plays the node at 127.0.1.5 and holds each command) through instance A; instance B,
 * started beside it, sees A as a live peer and leaves the task alone for longer than the takeover timeout; A is
 * killed with SIGKILL mid-task; B takes the task over once A's heartbeat is older than the timeout, runs it again
 * once the cut-off attempt must have ended on the node (one task timeout; the node never runs two at once), and
 * the task's log names the instance of each attempt.
 */
class SharedTaskQueueIT {
    static final int TAKEOVER_SECONDS = 3;
    static final int TASK_TIMEOUT_SECONDS = 25;
    static final long FIRST_ATTEMPT_MILLIS = 20_000;

    @TempDir
    Path tmp;

    @Test
    void aTaskOfAKilledInstanceIsTakenOverByItsPeerAndOnlyThen() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys")).resolve("authorized_keys");
        Files.writeString(keys, "");
        try (PostgresServer pg = PostgresServer.start();
                FakeSshServer sshd = new FakeSshServer(keys, FIRST_ATTEMPT_MILLIS)) {
            String url = pg.createDatabase();
            Path password = tmp.resolve("db-password");
            Files.writeString(password, PostgresServer.PASSWORD + "\n");
            String common = "dhcp: {enabled: false}\ndns: {enabled: false}\ntftp: {enabled: false}\n"
                    + "lifecycle: {sshPort: " + sshd.port() + ", aliveIntervalSeconds: 0, retryBackoffSeconds: 0, "
                    + "taskTimeoutSeconds: " + TASK_TIMEOUT_SECONDS + "}\n"
                    + "networks:\n"
                    + "  - {name: lo, id: 1, cidr: 127.0.0.0/16, staticRange: 127.0.1.1-127.0.1.99, "
                    + "domain: cluster.test,\n"
                    + "     v6prefix: none, serverAddress: 127.0.0.1}\n";
            String store = "store: {kind: postgresql, url: '" + url + "', user: " + PostgresServer.USER
                    + ", passwordFile: " + password + ", poolSize: 4, heartbeatSeconds: 1, takeoverSeconds: "
                    + TAKEOVER_SECONDS;
            // A is named in its configuration; B takes the name made once in its state directory.
            Path cfgA = tmp.resolve("a.yaml");
            Files.writeString(cfgA, store + ", instance: a}\n" + common);
            Path cfgB = tmp.resolve("b.yaml");
            Files.writeString(cfgB, store + "}\n" + common);
            Path stateA = tmp.resolve("state-a");
            Path stateB = tmp.resolve("state-b");
            DaemonProcess a = DaemonProcess.start(stateA, "127.0.0.1:0", "--config", cfgA.toString());
            DaemonProcess b = null;
            try {
                Files.copy(stateA.resolve("ssh/id_rsa.pub"), keys, StandardCopyOption.REPLACE_EXISTING);
                Http http = a.api();
                Http.Reply made = http.post(
                        "/api/v1/nodes",
                        "{\"name\":\"n1.cluster.test\",\"macs\":[\"52:54:00:00:00:01\"],"
                                + "\"addresses\":{\"lo\":\"127.0.1.5\"}}");
                assertEquals(201, made.status(), made.body());
                assertEquals(
                        200,
                        a.boot()
                                .from("127.0.1.5")
                                .post("/api/v1/nodes/n1/alive", "{\"alive\":true}")
                                .status());
                assertEquals(
                        202, http.post("/api/v1/nodes/n1/actions/reboot", "").status());
                awaitTrue("the reboot runs on the node", () -> sshd.current.get() == 1);
                JsonNode task = onlyTask(http);
                assertEquals("running", task.path("state").asText(), task.toString());
                assertEquals("a", task.path("instance").asText(), task.toString());

                // B on the same store: the admin token is the store's, so B's operator copies it.
                Files.createDirectories(stateB);
                Files.copy(stateA.resolve("admin-token"), stateB.resolve("admin-token"));
                b = DaemonProcess.start(stateB, "127.0.0.1:0", "--config", cfgB.toString());
                Files.writeString(keys, Files.readString(stateB.resolve("ssh/id_rsa.pub")), StandardOpenOption.APPEND);
                String nameB = Files.readString(stateB.resolve("instance")).trim();
                assertTrue(nameB.matches("[a-z0-9.-]+-[0-9a-f]{6}"), nameB);
                Http httpB = b.api();
                JsonNode statusB = httpB.get("/api/v1/status").json();
                assertEquals(nameB, statusB.path("instance").asText(), statusB.toString() + "\n" + b.log());
                assertEquals(List.of("a"), peers(statusB));
                awaitTrue(
                        "A sees B",
                        () -> peers(a.api().get("/api/v1/status").json()).equals(List.of(nameB)));

                // Longer than the takeover timeout with A alive: B leaves A's task alone.
                int loginsBefore = logins(sshd);
                Thread.sleep(TimeUnit.SECONDS.toMillis(TAKEOVER_SECONDS + 2));
                task = onlyTask(httpB);
                assertEquals("running", task.path("state").asText(), task.toString());
                assertEquals("a", task.path("instance").asText(), task.toString());
                assertEquals(1, task.path("attempts").asInt(), task.toString());
                assertEquals(1, sshd.current.get(), "A's attempt still runs on the node");
                assertEquals(0, sshd.execs.size(), "no other attempt ran");
                assertEquals(loginsBefore, logins(sshd), "B never logged in to the node");
                assertFalse(b.log().contains("silent since before"), b.log());

                a.kill(); // SIGKILL: no clean stop, A's heartbeat just ends
                long killed = System.nanoTime();
                sshd.holdMillis = 300; // the next attempt is quick
                JsonNode done = null;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TASK_TIMEOUT_SECONDS + 40);
                while (System.nanoTime() < end) {
                    done = onlyTask(httpB);
                    if (done.path("state").asText().equals("done")) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertEquals("done", done.path("state").asText(), done.toString() + "\n" + b.log());
                assertEquals(2, done.path("attempts").asInt(), done.toString());
                assertEquals(nameB, done.path("instance").asText(), done.toString());
                String log = done.path("log").asText();
                assertTrue(
                        log.contains("attempt 1 of 3 on instance a cut off: instance a stopped (no heartbeat since "),
                        log);
                assertTrue(log.contains("taken over by " + nameB + "; retried"), log);
                assertTrue(log.contains("attempt 2 of 3 on instance " + nameB + ": reboot"), log);
                assertTrue(b.log().contains("silent since before"), b.log());

                // The node ran the two attempts one after the other: the first (cut off, still held by the node)
                // ended before B started the second, which waited one task timeout after the takeover.
                assertEquals(2, sshd.execs.size(), sshd.execs.toString());
                assertEquals(0, sshd.overlaps.get(), "two attempts ran at once on the node");
                List<FakeSshServer.Exec> execs = new ArrayList<>(sshd.execs);
                execs.sort((x, y) -> Long.compare(x.startNanos(), y.startNanos()));
                long second = execs.get(1).startNanos();
                assertTrue(second >= execs.get(0).endNanos(), execs.toString());
                assertTrue(
                        second - killed >= TimeUnit.SECONDS.toNanos(TAKEOVER_SECONDS + TASK_TIMEOUT_SECONDS - 2),
                        "B waited for the takeover and a task timeout: " + (second - killed) / 1_000_000 + " ms");
                JsonNode after = httpB.get("/api/v1/status").json();
                assertEquals(List.of(), peers(after), "A is no live peer any more: " + after);
                assertTrue(after.at("/services/tasks/metrics/takenOver").asInt() == 1, after.toString());
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    private static JsonNode onlyTask(Http http) throws Exception {
        JsonNode tasks = http.get("/api/v1/nodes/n1/tasks").json();
        assertEquals(1, tasks.size(), tasks.toString());
        return tasks.get(0);
    }

    private static List<String> peers(JsonNode status) {
        List<String> out = new ArrayList<>();
        status.path("peers").forEach(p -> out.add(p.path("id").asText()));
        return out;
    }

    private static int logins(FakeSshServer sshd) {
        return sshd.logins.values().stream()
                .mapToInt(java.util.concurrent.atomic.AtomicInteger::get)
                .sum();
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(String what, Check c) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.ok()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }
}
