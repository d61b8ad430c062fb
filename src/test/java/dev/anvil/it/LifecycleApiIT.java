package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lifecycle over REST against the real daemon: registration, plan, actions, history, auto-policy. */
class LifecycleApiIT {
    @TempDir
    static Path tmp;

    static DaemonProcess daemon;
    static Http http;
    static Http boot;

    static final String INVENTORY = "{\"mac\":\"52:54:00:12:34:56\",\"macs\":[\"52:54:00:12:34:56\","
            + "\"52:54:00:aa:bb:cc\"],\"cpu\":{\"count\":2,\"model\":\"QEMU Virtual CPU\"},\"memoryBytes\":1007087616,"
            + "\"disks\":[{\"name\":\"vda\",\"sizeBytes\":10737418240}],\"dmi\":{\"serial\":\"\",\"uuid\":\"\","
            + "\"vendor\":\"QEMU\",\"product\":\"Standard PC\"}}";

    @BeforeAll
    static void start() throws Exception {
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "dhcp: {enabled: false}\ndns: {enabled: false}\n"
                        + "tftp: {enabled: false}\n"
                        + "lifecycle: {autoInstall: [{os: debian-12, when: {/dmi/vendor: AutoVendor}}]}\n"
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 127.0.0.0/16, staticRange: 127.0.2.1-127.0.2.99, domain: cluster.test,\n"
                        + "     serverAddress: 127.0.0.1}\n");
        daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
        http = daemon.api();
        boot = daemon.boot();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void discoveryRegistrationInstallAndHistory() throws Exception {
        Http.Reply r = boot.post("/api/v1/discover", INVENTORY);
        assertEquals(201, r.status(), r.body());
        assertEquals("d52-54-00-12-34-56.cluster.test", r.json().path("name").asText());
        assertEquals("discovered", r.json().path("state").asText());
        // The same machine again, announced from its other NIC: still one node.
        Http.Reply again = boot.post(
                "/api/v1/discover",
                INVENTORY.replaceFirst("\"mac\":\"52:54:00:12:34:56\"", "\"mac\":\"52:54:00:aa:bb:cc\""));
        assertEquals(200, again.status(), again.body());
        assertEquals(
                "d52-54-00-12-34-56.cluster.test", again.json().path("name").asText());

        JsonNode inv = http.get("/api/v1/nodes/52:54:00:12:34:56/inventory").json();
        assertEquals(2, inv.path("cpu").path("count").asInt());
        assertEquals(1007087616L, inv.path("memoryBytes").asLong());
        JsonNode plan = http.get("/api/v1/nodes/52:54:00:12:34:56/plan").json();
        assertEquals("wait", plan.path("action").asText());

        String node = "/api/v1/nodes/d52-54-00-12-34-56";
        Http.Reply bad = http.post(node + "/actions/install", "{\"os\":\"plan9\"}");
        assertEquals(400, bad.status(), bad.body());
        assertEquals(
                403, boot.post(node + "/install-complete", "{\"token\":\"x\"}").status());
        assertEquals(
                404, http.post(node + "/install-complete", "{\"token\":\"x\"}").status(), "not an admin route");
        assertEquals(404, boot.post(node + "/actions/redeploy", "").status(), "not a boot route");
        Http.Reply illegal = http.post(node + "/actions/redeploy", "");
        assertEquals(200, illegal.status(), illegal.body());
        illegal = http.post(node + "/actions/redeploy", "");
        assertEquals(409, illegal.status(), illegal.body());
        assertTrue(illegal.body().contains("in state discovering"), illegal.body());
        assertEquals(200, boot.post("/api/v1/discover", INVENTORY).status());
        assertEquals(404, http.post(node + "/actions/explode", "").status());

        Http.Reply inst = http.post(node + "/actions/install", "{\"os\":\"debian-12\"}");
        assertEquals(200, inst.status(), inst.body());
        assertEquals("install-pending", inst.json().path("state").asText());
        assertEquals("debian-12-install", inst.json().path("bootEnv").asText());
        assertEquals("reboot", http.get(node + "/plan").json().path("action").asText());
        assertEquals(
                409,
                http.post(node + "/actions/install", "{\"os\":\"debian-12\"}").status());
        Http self = boot.from(http.get(node).json().at("/addresses/0/ipv4").asText());
        assertEquals("reboot", self.get(node + "/plan").json().path("action").asText());
        assertEquals(404, boot.get(node + "/plan").status(), "the plan goes to the node itself only");
        assertTrue(boot.get("/nodes/52-54-00-12-34-56/boot.ipxe").body().contains("install.amd/vmlinuz"));
        assertEquals(
                200,
                self.send("HEAD", "/nodes/d52-54-00-12-34-56.cluster.test/install.cfg", null)
                        .status());
        assertEquals("install-pending", http.get(node).json().path("state").asText(), "a HEAD changes nothing");
        assertEquals(
                200,
                self.get("/nodes/d52-54-00-12-34-56.cluster.test/install.cfg").status());
        assertEquals("install-pending", http.get(node).json().path("state").asText(), "a GET changes nothing");
        String post = self.get("/nodes/d52-54-00-12-34-56.cluster.test/post-install.sh")
                .body();
        java.util.regex.Matcher t = java.util.regex.Pattern.compile("\"token\":\"([A-Za-z0-9_-]+)\"")
                .matcher(post);
        assertTrue(t.find(), post);
        assertEquals(
                200,
                boot.post(node + "/installing", "{\"token\":\"" + t.group(1) + "\"}")
                        .status());
        assertEquals("installing", http.get(node).json().path("state").asText());

        Http.Reply failed = http.post(node + "/actions/fail", "{\"reason\":\"disk on fire\"}");
        assertEquals("failed", failed.json().path("state").asText());
        JsonNode history = http.get(node + "/history").json();
        StringBuilder path = new StringBuilder();
        history.forEach(h -> path.append(h.path("event").asText())
                .append(':')
                .append(h.path("to").asText())
                .append(' '));
        assertEquals(
                "create:discovering discover:discovered discover:discovered redeploy:discovering "
                        + "discover:discovered install:install-pending installer-started:installing fail:failed ",
                path.toString());
        assertEquals("disk on fire", history.get(7).path("reason").asText());
        assertEquals("installer", history.get(6).path("actor").asText());

        // The reboot action queues a task; the node is not alive, so it waits (blocked, not lost).
        Http.Reply reboot = http.post(node + "/actions/reboot", "");
        assertEquals(202, reboot.status(), reboot.body());
        assertEquals("node is not alive", reboot.json().path("blockedBy").asText());
        assertEquals(1, http.get(node + "/tasks").json().size());
        long taskId = reboot.json().path("id").asLong();
        assertEquals(
                "queued",
                http.get("/api/v1/tasks/" + taskId).json().path("state").asText());
        assertEquals(404, http.get("/api/v1/tasks/999999").status());
        assertEquals(404, http.get("/api/v1/tasks/x").status());
        assertTrue(http.get("/api/v1/status").body().contains("\"tasks\""));
    }

    @Test
    void autoPolicyInstallsMatchingMachines() throws Exception {
        Http.Reply r =
                boot.post("/api/v1/discover", "{\"mac\":\"52:54:00:00:00:77\",\"dmi\":{\"vendor\":\"AutoVendor\"}}");
        assertEquals(201, r.status(), r.body());
        assertEquals("install-pending", r.json().path("state").asText());
        assertEquals("debian-12", r.json().path("targetOs").asText());
        Http.Reply other =
                boot.post("/api/v1/discover", "{\"mac\":\"52:54:00:00:00:78\",\"dmi\":{\"vendor\":\"Other\"}}");
        assertEquals("discovered", other.json().path("state").asText());
    }

    @Test
    void badInventoriesAreRefusedClearly() throws Exception {
        assertEquals(400, boot.post("/api/v1/discover", "{\"macs\":[]}").status());
        assertEquals(400, boot.post("/api/v1/discover", "{\"mac\":\"zz:zz\"}").status());
        assertEquals(400, boot.post("/api/v1/discover", "[1,2]").status());
        assertEquals(
                400,
                boot.post("/api/v1/discover", "{\"mac\":\"52:54:00:00:00:99\",\"macs\":\"x\"}")
                        .status());
        assertEquals(404, boot.get("/api/v1/nodes/52:54:00:00:00:98/plan").status());
    }

    /** The discovery image's architecture ({@code uname -m}) and firmware: kept in the inventory, bad ones a 400. */
    @Test
    void theMachinesArchitectureAndFirmwareAreKeptAndBadOnesRefused() throws Exception {
        Http.Reply arch = boot.post("/api/v1/discover", "{\"mac\":\"52:54:00:00:00:97\",\"architecture\":\"ARM 64\"}");
        assertEquals(400, arch.status());
        assertTrue(arch.body().contains("architecture must be a machine name as uname -m prints it"), arch.body());
        assertEquals("architecture", arch.json().path("field").asText());
        Http.Reply fw = boot.post("/api/v1/discover", "{\"mac\":\"52:54:00:00:00:97\",\"firmware\":\"efi\"}");
        assertEquals(400, fw.status());
        assertTrue(fw.body().contains("firmware must be one of [uefi, bios], not \\\"efi\\\""), fw.body());
        assertEquals(404, http.get("/api/v1/nodes/52:54:00:00:00:97").status()); // nothing registered
        Http.Reply ok = boot.post(
                "/api/v1/discover",
                "{\"mac\":\"52:54:00:00:00:96\",\"architecture\":\"aarch64\",\"firmware\":\"uefi\"}");
        assertEquals(201, ok.status(), ok.body());
        JsonNode inv = http.get("/api/v1/nodes/52:54:00:00:00:96/inventory").json();
        assertEquals("aarch64", inv.path("architecture").asText(), inv.toString());
        assertEquals("uefi", inv.path("firmware").asText(), inv.toString());
    }
}
