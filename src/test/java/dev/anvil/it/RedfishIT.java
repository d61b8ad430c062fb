package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.power.RedfishEmulator;
import dev.anvil.power.RedfishTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redfish BMC through the real daemon's API, against {@link RedfishEmulator} on loopback over HTTPS: the BMC set
 * with {@code PUT .../bmc} (driver {@code redfish}, a bad certificate pin a 400), refused while its self-signed
 * certificate is neither trusted nor pinned (502 {@code failed}, the certificate's SHA-256 in the error), then
 * pinned; power status, on, cycle and off and {@code PUT .../bmc/next-boot} with the emulator's state as the witness;
 * {@code install} through the lifecycle (next boot PXE once, then cycle: the emulator boots from the network); a
 * reset type the BMC does not allow and a wrong password, each a 502 of its kind; the password in no answer, not in
 * the log, not in the state directory.
 */
class RedfishIT {
    static final String MAC = "52:54:00:19:03:01";

    @TempDir
    static Path tmp;

    static RedfishEmulator bmc;
    static DaemonProcess daemon;
    static Http http;
    static Http boot;

    @BeforeAll
    static void start() throws Exception {
        bmc = RedfishEmulator.start(tmp.resolve("bmc"));
        daemon = PowerLifecycleIT.lifecycleDaemon(tmp);
        http = daemon.api();
        boot = daemon.boot();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (bmc != null) {
            bmc.close();
        }
    }

    static String settings(String password, String pin) {
        return "{\"driver\":\"redfish\",\"address\":\"127.0.0.1\",\"port\":" + bmc.port() + ",\"user\":\""
                + RedfishEmulator.USER + "\"" + (password == null ? "" : ",\"password\":\"" + password + "\"")
                + (pin == null ? "" : ",\"certificateSha256\":\"" + pin + "\"") + "}";
    }

    static JsonNode put(String node, String route, String body, int status) throws Exception {
        Http.Reply r = http.send("PUT", "/api/v1/nodes/" + node + route, body);
        assertEquals(status, r.status(), r.body());
        assertFalse(r.body().contains(RedfishEmulator.PASSWORD), r.body());
        return r.json();
    }

    static JsonNode power(String node, String action, int status) throws Exception {
        Http.Reply r = http.post("/api/v1/nodes/" + node + "/power/" + action, null);
        assertEquals(status, r.status(), r.body());
        assertFalse(r.body().contains(RedfishEmulator.PASSWORD), r.body());
        return r.json();
    }

    static JsonNode finished(String node, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        JsonNode t = null;
        while (System.nanoTime() < deadline) {
            t = http.get("/api/v1/nodes/" + node + "/tasks").json().get(0);
            if (t != null && List.of("done", "failed").contains(t.path("state").asText())) {
                return t;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no finished task on " + node + " within " + seconds + " s: " + t);
    }

    @Test
    void aRedfishBmcThroughTheApiAndTheLifecycle() throws Exception {
        Http.Reply d = boot.post("/api/v1/discover", "{\"mac\":\"" + MAC + "\"}");
        assertEquals(201, d.status(), d.body());
        String node = d.json().path("name").asText();
        String sha = RedfishTls.sha256(bmc.certificate());

        JsonNode badPin = put(node, "/bmc", settings(RedfishEmulator.PASSWORD, "12:34"), 400);
        assertEquals("certificateSha256", badPin.path("field").asText(), badPin.toString());

        // the self-signed certificate, neither trusted nor pinned: refused before any request
        put(node, "/bmc", settings(RedfishEmulator.PASSWORD, null), 200);
        JsonNode untrusted = power(node, "status", 502);
        assertEquals("failed", untrusted.path("kind").asText(), untrusted.toString());
        assertTrue(
                untrusted.path("error").asText().contains("(sha256 " + sha + ") is not trusted"), untrusted.toString());
        assertEquals(0, bmc.requests());

        // pinned (with colons and upper case, as openssl prints it): kept without the password
        String colons = String.join(":", sha.toUpperCase().split("(?<=\\G..)"));
        JsonNode set = put(node, "/bmc", settings(null, colons), 200);
        assertEquals("redfish", set.path("driver").asText(), set.toString());
        assertEquals(sha, set.path("certificateSha256").asText(), set.toString());
        assertEquals(bmc.port(), set.path("port").asInt());
        assertTrue(set.path("system").isNull(), set.toString());
        assertEquals(set, http.get("/api/v1/nodes/" + node + "/bmc").json());

        assertEquals("off", power(node, "status", 200).path("state").asText());
        assertEquals("on", power(node, "on", 200).path("state").asText());
        assertEquals("On", bmc.powerState());

        JsonNode badDevice = put(node, "/bmc/next-boot", "{\"device\":\"floppy\"}", 400);
        assertEquals("device", badDevice.path("field").asText(), badDevice.toString());
        JsonNode nb = put(node, "/bmc/next-boot", "{\"device\":\"pxe\",\"once\":true}", 200);
        assertEquals("pxe", nb.path("device").asText(), nb.toString());
        assertEquals("Pxe Once UEFI", bmc.boot());
        assertEquals("on", power(node, "cycle", 200).path("state").asText());
        assertEquals(List.of("Hdd", "Pxe"), bmc.boots(), "on from disk, then the cycle from the network");
        assertEquals("Pxe Disabled UEFI", bmc.boot(), "the once override spent");
        put(node, "/bmc/next-boot", "{\"device\":\"disk\",\"once\":false}", 200);
        assertEquals("Hdd Continuous UEFI", bmc.boot());

        // install through the lifecycle: next boot PXE once, then a cycle (the machine is on)
        Http.Reply install = http.post("/api/v1/nodes/" + node + "/actions/install", "{\"os\":\"debian-12\"}");
        assertEquals(200, install.status(), install.body());
        JsonNode task = finished(node, 30);
        assertEquals("done", task.path("state").asText(), task.toString());
        assertTrue(task.path("log").asText().contains("next boot pxe (once); was on: cycle; now on"), task.toString());
        assertEquals("Pxe", bmc.boots().get(bmc.boots().size() - 1), "booted from the network");
        assertEquals(List.of("On", "PowerCycle", "PowerCycle"), bmc.resets());

        // a reset type the BMC does not allow: 502 unsupported, naming what it allows
        bmc.allow(List.of("On", "ForceOff", "ForceRestart"), true);
        JsonNode soft = power(node, "soft-off", 502);
        assertEquals("unsupported", soft.path("kind").asText(), soft.toString());
        assertTrue(soft.path("error").asText().endsWith("it allows On, ForceOff, ForceRestart"), soft.toString());
        assertEquals("off", power(node, "off", 200).path("state").asText());

        // a wrong password: 502 auth-failed
        put(node, "/bmc", settings("not-the-password", sha), 200);
        JsonNode wrong = power(node, "status", 502);
        assertEquals("auth-failed", wrong.path("kind").asText(), wrong.toString());

        String log = daemon.log();
        assertTrue(log.contains("power on node " + node + " via redfish 127.0.0.1:" + bmc.port() + ": on"), log);
        assertTrue(log.contains("power next-boot pxe (once) node " + node + " via redfish"), log);
        assertFalse(log.contains(RedfishEmulator.PASSWORD), "the password in the log");
        byte[] pw = RedfishEmulator.PASSWORD.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.walk(tmp.resolve("state"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(PowerIT.contains(Files.readAllBytes(f), pw), "the password in the clear in " + f);
            }
        }
    }
}
