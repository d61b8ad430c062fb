package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.tasks.FakeSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the real daemon with one task running and two queued on a node (a real SSH server in this
 * JVM plays the node at 127.0.1.5): after the restart every task completes, the one cut off is retried,
 * and the node never runs two tasks at once.
 */
class TaskRestartIT {
    @TempDir
    Path tmp;

    @Test
    void killDashNineLosesNoTaskAndNeverRunsTwoAtOnce() throws Exception {
        Path state = tmp.resolve("state");
        Path keys = Files.createDirectories(tmp.resolve("keys")).resolve("authorized_keys");
        Files.writeString(keys, "");
        try (FakeSshServer sshd = new FakeSshServer(keys, 3000)) {
            Path cfg = tmp.resolve("anvil.yaml");
            Files.writeString(
                    cfg,
                    "dhcp: {enabled: false}\ndns: {enabled: false}\n"
                            + "tftp: {enabled: false}\n"
                            + "lifecycle: {sshPort: " + sshd.port()
                            + ", aliveIntervalSeconds: 0, retryBackoffSeconds: 0, "
                            + "taskTimeoutSeconds: 5}\n"
                            + "networks:\n"
                            + "  - {name: lo, id: 1, cidr: 127.0.0.0/16, staticRange: 127.0.1.1-127.0.1.99, domain: cluster.test,\n"
                            + "     v6prefix: none, serverAddress: 127.0.0.1}\n");
            DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString());
            try {
                // The daemon made its admin key on start: the "node" trusts it, as an installed node would.
                Files.copy(state.resolve("ssh/id_rsa.pub"), keys, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Http http = d.api();
                assertEquals(
                        201,
                        http.post(
                                        "/api/v1/nodes",
                                        "{\"name\":\"n1.cluster.test\",\"macs\":[\"52:54:00:00:00:01\"],"
                                                + "\"addresses\":{\"lo\":\"127.0.1.5\"}}")
                                .status());
                // The node reports itself alive from its own address (from any other, the 404 of an unknown node).
                assertEquals(
                        404,
                        d.boot()
                                .post("/api/v1/nodes/n1/alive", "{\"alive\":true}")
                                .status());
                assertEquals(
                        200,
                        d.boot()
                                .from("127.0.1.5")
                                .post("/api/v1/nodes/n1/alive", "{\"alive\":true}")
                                .status());
                for (int i = 0; i < 3; i++) {
                    assertEquals(
                            202,
                            http.post("/api/v1/nodes/n1/actions/reboot", "").status());
                }
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (sshd.current.get() == 0 && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertEquals(1, sshd.current.get(), "one task running on the node");
                d.kill();
                d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString());
                http = d.api();
                JsonNode tasks = null;
                end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < end) {
                    tasks = http.get("/api/v1/nodes/n1/tasks").json();
                    int done = 0;
                    for (JsonNode t : tasks) {
                        done += t.path("state").asText().equals("done") ? 1 : 0;
                    }
                    if (done == 3) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertEquals(3, tasks.size(), tasks.toString());
                for (JsonNode t : tasks) {
                    assertEquals("done", t.path("state").asText(), tasks.toString());
                }
                // Newest first: the first task is last; it was cut off once and ran again.
                assertEquals(2, tasks.get(2).path("attempts").asInt(), tasks.toString());
                assertEquals(0, sshd.overlaps.get(), "two tasks ran at once on the node");
                assertTrue(sshd.execs.size() >= 3);
            } finally {
                d.close();
            }
        }
    }
}
