package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.power.IpmiSim;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power control through the real daemon's API against OpenIPMI's BMC simulator on loopback: a node's BMC set with
 * {@code PUT /api/v1/nodes/{id}/bmc} (every bad field a 400 naming it), read back without the password, power on,
 * status and off through {@code POST .../power/{action}} with the simulator's chassis control as the independent
 * witness, a wrong password a 502 of kind {@code auth-failed}; the password nowhere in an API answer, the log, the
 * database file or the store journal; the key file 0600.
 */
class PowerIT {
    static final String NODE = "p1.cluster.test";

    @TempDir
    static Path tmp;

    static IpmiSim sim;
    static DaemonProcess daemon;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        if (!IpmiSim.available()) {
            System.err.println(
                    "*** PowerIT SKIPPED: ipmi_sim or ipmitool missing (apt-get install openipmi ipmitool) ***");
            Assumptions.abort("ipmi_sim or ipmitool missing");
        }
        sim = IpmiSim.start(tmp.resolve("sim"));
        daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0");
        http = daemon.api();
        Http.Reply r = http.post("/api/v1/nodes", "{\"name\":\"" + NODE + "\",\"macs\":[\"52:54:00:19:00:01\"]}");
        assertEquals(201, r.status(), r.body());
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    static String bmc(String password) {
        return "{\"address\":\"127.0.0.1\",\"port\":" + sim.port() + ",\"user\":\"" + IpmiSim.USER + "\""
                + (password == null ? "" : ",\"password\":\"" + password + "\"") + ",\"cipherSuite\":3}";
    }

    static JsonNode power(String action, int status) throws Exception {
        Http.Reply r = http.post("/api/v1/nodes/" + NODE + "/power/" + action, null);
        assertEquals(status, r.status(), r.body());
        assertFalse(r.body().contains(IpmiSim.PASSWORD), r.body());
        return r.json();
    }

    @Test
    void setTheBmcThenPowerOnStatusOffAndAWrongPasswordThenRemoveIt() throws Exception {
        Http.Reply none = http.post("/api/v1/nodes/" + NODE + "/power/status", null);
        assertEquals(404, none.status(), none.body());

        Http.Reply bad = http.send(
                "PUT",
                "/api/v1/nodes/" + NODE + "/bmc",
                bmc(IpmiSim.PASSWORD).replace("\"port\":" + sim.port(), "\"port\":70000"));
        assertEquals(400, bad.status(), bad.body());
        assertEquals("port", bad.json().get("field").asText(), bad.body());
        Http.Reply noPassword = http.send("PUT", "/api/v1/nodes/" + NODE + "/bmc", bmc(null));
        assertEquals(400, noPassword.status(), noPassword.body());
        assertEquals("password", noPassword.json().get("field").asText(), noPassword.body());

        Http.Reply put = http.send("PUT", "/api/v1/nodes/" + NODE + "/bmc", bmc(IpmiSim.PASSWORD));
        assertEquals(200, put.status(), put.body());
        assertFalse(put.body().contains(IpmiSim.PASSWORD), put.body());
        assertFalse(put.json().has("password"), put.body());
        assertEquals("ipmi", put.json().get("driver").asText());
        assertEquals("administrator", put.json().get("privilege").asText());
        assertFalse(put.json().get("passwordSetAt").asText().isEmpty(), put.body());
        Http.Reply got = http.get("/api/v1/nodes/" + NODE + "/bmc");
        assertEquals(200, got.status(), got.body());
        assertEquals(put.json(), got.json());

        assertEquals("on", power("on", 200).get("state").asText());
        assertEquals("1", sim.chassis("power"), "the simulator was told to power on");
        assertEquals("on", power("status", 200).get("state").asText());
        assertEquals("off", power("off", 200).get("state").asText());
        assertEquals("0", sim.chassis("power"));
        JsonNode unknown = power("reboot", 400);
        assertEquals("action", unknown.get("field").asText());

        // a new password that is wrong: the BMC refuses it, a 502 of kind auth-failed
        Http.Reply wrong = http.send("PUT", "/api/v1/nodes/" + NODE + "/bmc", bmc("not-the-password"));
        assertEquals(200, wrong.status(), wrong.body());
        JsonNode failed = power("status", 502);
        assertEquals("auth-failed", failed.get("kind").asText(), failed.toString());
        // the password kept when a PUT leaves it out: set the right one, then change only the port back
        assertEquals(
                200,
                http.send("PUT", "/api/v1/nodes/" + NODE + "/bmc", bmc(IpmiSim.PASSWORD))
                        .status());
        assertEquals(
                200,
                http.send("PUT", "/api/v1/nodes/" + NODE + "/bmc", bmc(null)).status());
        assertEquals("off", power("status", 200).get("state").asText());

        String log = daemon.log();
        assertTrue(log.contains("power on node " + NODE + " via ipmi 127.0.0.1:" + sim.port() + ": on"), log);
        assertTrue(log.contains("power status node " + NODE + " via ipmi"), log);
        assertTrue(log.contains("auth-failed"), log);
        assertFalse(log.contains(IpmiSim.PASSWORD), "the password in the log");

        Path state = tmp.resolve("state");
        Path key = state.resolve("bmc-secret.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        byte[] pw = IpmiSim.PASSWORD.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(contains(Files.readAllBytes(f), pw), "the password in the clear in " + f);
            }
        }

        Http.Reply del = http.send("DELETE", "/api/v1/nodes/" + NODE + "/bmc", null);
        assertEquals(204, del.status(), del.body());
        assertEquals(404, http.get("/api/v1/nodes/" + NODE + "/bmc").status());
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
