package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.power.IpmiSim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle through the BMC (doc/power.md#the-lifecycle), the real daemon against OpenIPMI's simulator on
 * loopback: install, reboot and redeploy of a node with a BMC are durable {@code netboot} tasks (next boot PXE once,
 * then on or cycle) with the simulator's chassis program as the witness; {@code power-off}; a node without a BMC
 * rebooted over SSH as before (and refused a power-off); a BMC with a wrong password fails its task at once, an
 * unreachable one retries and fails, and neither holds up the good node; the power state on the node and its
 * timeline.
 */
class PowerLifecycleIT {
    static final String GOOD = "52:54:00:19:01:01";
    static final String WRONG = "52:54:00:19:01:02";
    static final String DEAD = "52:54:00:19:01:03";
    static final String NONE = "52:54:00:19:01:04";

    @TempDir
    static Path tmp;

    static IpmiSim sim;
    static DaemonProcess daemon;
    static Http http;
    static Http boot;

    @BeforeAll
    static void start() throws Exception {
        if (!IpmiSim.available()) {
            System.err.println("*** PowerLifecycleIT SKIPPED: ipmi_sim or ipmitool missing (apt-get install openipmi "
                    + "ipmitool) ***");
            Assumptions.abort("ipmi_sim or ipmitool missing");
        }
        sim = IpmiSim.start(tmp.resolve("sim"));
        daemon = lifecycleDaemon(tmp);
        http = daemon.api();
        boot = daemon.boot();
    }

    /**
     * The daemon with only the API and the boot listener (no DHCP, DNS, TFTP), one loopback admin network, and
     * quick task retries: for the lifecycle through a BMC.
     */
    static DaemonProcess lifecycleDaemon(Path tmp) throws Exception {
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "dhcp: {enabled: false}\ndns: {enabled: false}\ntftp: {enabled: false}\n"
                        + "lifecycle: {taskAttempts: 2, retryBackoffSeconds: 1, aliveIntervalSeconds: 0}\n"
                        + "power: {pollIntervalSeconds: 1, pollConcurrency: 4}\n"
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 127.0.0.0/16, staticRange: 127.0.3.1-127.0.3.99,"
                        + " domain: cluster.test,\n"
                        + "     serverAddress: 127.0.0.1}\n");
        return DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
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

    static String discover(String mac) throws Exception {
        return discover(mac, "");
    }

    /** Registers {@code mac} as the discovery image does; {@code more}: further inventory fields. */
    static String discover(String mac, String more) throws Exception {
        Http.Reply r = boot.post("/api/v1/discover", "{\"mac\":\"" + mac + "\"" + more + "}");
        assertEquals(201, r.status(), r.body());
        return r.json().path("name").asText();
    }

    static void bmc(String node, int port, String password) throws Exception {
        Http.Reply r = http.send(
                "PUT",
                "/api/v1/nodes/" + node + "/bmc",
                "{\"address\":\"127.0.0.1\",\"port\":" + port + ",\"user\":\"" + IpmiSim.USER + "\",\"password\":\""
                        + password + "\"}");
        assertEquals(200, r.status(), r.body());
    }

    /** The task the action answered (202). */
    static JsonNode action(String node, String action, String body) throws Exception {
        Http.Reply r = http.post("/api/v1/nodes/" + node + "/actions/" + action, body);
        assertEquals(action.equals("install") || action.equals("redeploy") ? 200 : 202, r.status(), r.body());
        return r.json();
    }

    /** The node's newest task, once it is done or failed (within {@code seconds}). */
    static JsonNode finished(String node, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode t = null;
        while (System.nanoTime() < deadline) {
            t = http.get("/api/v1/nodes/" + node + "/tasks").json().get(0);
            if (t != null
                    && (t.path("state").asText().equals("done")
                            || t.path("state").asText().equals("failed"))) {
                return t;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no finished task on " + node + " within " + seconds + " s: " + t);
    }

    @Test
    void installRebootPowerOffAndRedeployGoThroughTheBmcAndABadBmcHoldsUpNoOtherNode() throws Exception {
        // the discovery image reports the BMC's LAN address (ipmitool lan print); the operator adopts it in one
        // call, a PUT without address
        String good = discover(GOOD, ",\"bmc\":{\"ip\":\"127.0.0.1\",\"mac\":\"52:54:00:19:01:ff\"}");
        String wrong = discover(WRONG);
        String dead = discover(DEAD);
        String none = discover(NONE);
        String adopt = "{\"port\":" + sim.port() + ",\"user\":\"" + IpmiSim.USER + "\",\"password\":\""
                + IpmiSim.PASSWORD + "\"}";
        Http.Reply notReported = http.send("PUT", "/api/v1/nodes/" + none + "/bmc", adopt);
        assertEquals(400, notReported.status(), notReported.body());
        assertEquals("address", notReported.json().path("field").asText(), notReported.body());
        Http.Reply adopted = http.send("PUT", "/api/v1/nodes/" + good + "/bmc", adopt);
        assertEquals(200, adopted.status(), adopted.body());
        assertEquals("127.0.0.1", adopted.json().path("address").asText(), adopted.body());
        bmc(wrong, sim.port(), "not-the-password");
        bmc(dead, IpmiSim.freeUdpPort(), IpmiSim.PASSWORD);
        assertEquals("0", sim.chassis("power").isEmpty() ? "0" : sim.chassis("power"), "the machine starts off");

        // install: the unreachable BMC's task first, so it holds a worker while the others run
        long t0 = System.nanoTime();
        action(dead, "install", "{\"os\":\"debian-12\"}");
        action(wrong, "install", "{\"os\":\"debian-12\"}");
        action(good, "install", "{\"os\":\"debian-12\"}");
        JsonNode g = finished(good, 15);
        long goodMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("netboot", g.path("kind").asText(), g.toString());
        assertEquals("done", g.path("state").asText(), g.toString());
        assertTrue(g.path("log").asText().contains("next boot pxe (once); was off: on; now on"), g.toString());
        assertEquals("1", sim.chassis("power"), "powered on through the BMC");
        assertEquals("pxe", sim.chassis("boot"), "next boot from the network");
        assertTrue(goodMs < 8000, "the good node waited for the bad BMCs: " + goodMs + " ms");

        JsonNode w = finished(wrong, 15);
        assertEquals("failed", w.path("state").asText(), w.toString());
        assertEquals(1, w.path("attempts").asInt(), "a refused login is not retried: " + w);
        assertTrue(w.path("error").asText().startsWith("BMC auth-failed: "), w.toString());

        // reboot of a node that is on: next boot PXE, then a cycle
        sim.setChassis("boot", "default");
        JsonNode r = action(good, "reboot", null);
        assertEquals("netboot", r.path("kind").asText(), r.toString());
        JsonNode rd = finished(good, 15);
        assertTrue(rd.path("log").asText().contains("next boot pxe (once); was on: cycle"), rd.toString());
        assertEquals("pxe", sim.chassis("boot"));

        // power-off, then redeploy powers it on again into discovery
        assertEquals("power-off", action(good, "power-off", null).path("kind").asText());
        JsonNode off = finished(good, 15);
        assertEquals("done", off.path("state").asText(), off.toString());
        assertEquals("0", sim.chassis("power"), "powered off through the BMC");
        JsonNode node = http.get("/api/v1/nodes/" + good).json();
        assertEquals("off", node.path("power").path("state").asText(), node.toString());
        action(good, "redeploy", null);
        JsonNode re = finished(good, 15);
        assertTrue(re.path("log").asText().contains("was off: on; now on"), re.toString());
        assertEquals("1", sim.chassis("power"));

        // no BMC: the SSH reboot as before; power-off refused
        assertEquals("reboot", action(none, "reboot", null).path("kind").asText());
        Http.Reply refused = http.post("/api/v1/nodes/" + none + "/actions/power-off", null);
        assertEquals(409, refused.status(), refused.body());
        assertEquals("bmc", refused.json().path("field").asText(), refused.body());

        // the unreachable BMC: retried once, then failed, with the kind in the error and on the node
        JsonNode d = finished(dead, 60);
        assertEquals("failed", d.path("state").asText(), d.toString());
        assertEquals(2, d.path("attempts").asInt(), d.toString());
        assertTrue(d.path("error").asText().startsWith("BMC unreachable: "), d.toString());
        JsonNode deadNode = http.get("/api/v1/nodes/" + dead).json();
        assertTrue(deadNode.path("power").path("error").asText().startsWith("unreachable: "), deadNode.toString());

        // the good node's timeline: its power changes, from the POWER source
        JsonNode events = http.get("/api/v1/nodes/" + good + "/timeline").json().path("events");
        String powerEvents = events.findValuesAsText("event").toString();
        assertTrue(powerEvents.contains("power on") && powerEvents.contains("power off"), events.toString());
        assertTrue(events.findValuesAsText("source").contains("power"), events.toString());

        // the poll: the machine goes off behind Anvil's back (the simulator's chassis says so), the node shows it
        sim.setChassis("power", "0");
        JsonNode polled = await(good, p -> p.path("state").asText().equals("off"), 10);
        assertTrue(polled.path("error").isNull(), polled.toString());
        // the BMCs that do not answer show why, each on its own node
        JsonNode authFailed = await(wrong, p -> p.path("error").asText().startsWith("auth-failed: "), 10);
        assertTrue(authFailed.path("state").isNull(), "never read: no last known state " + authFailed);
        await(dead, p -> p.path("error").asText().startsWith("unreachable: "), 30);
        assertTrue(http.get("/api/v1/nodes/" + none).json().path("power").isNull(), "no BMC, no reading");
        String metrics = http.get("/metrics").body();
        assertTrue(metrics.contains("anvil_power_polls_total{result=\"ok\"}"), metrics);
        assertTrue(metrics.contains("anvil_power_nodes{state=\"error\"} 2.0"), metrics);
        assertTrue(metrics.contains("anvil_power_nodes{state=\"off\"} 1.0"), metrics);
    }

    /** The node's {@code power} once {@code test} holds of it (within {@code seconds}). */
    static JsonNode await(String node, java.util.function.Predicate<JsonNode> test, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode p = null;
        while (System.nanoTime() < deadline) {
            p = http.get("/api/v1/nodes/" + node).json().path("power");
            if (test.test(p)) {
                return p;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(node + ": power not as expected within " + seconds + " s: " + p);
    }
}
