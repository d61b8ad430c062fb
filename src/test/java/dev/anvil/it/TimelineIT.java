package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The boot timeline end to end: the real daemon in a private network namespace, a node created through the API,
 * then real clients in the other namespace, as a machine boots: busybox udhcpc (DISCOVER/REQUEST with a PXE
 * vendor class and architecture), tftp-hpa (a file, then a missing one), curl over HTTP (a file under /boot/,
 * then a missing one; later the node's rendered boot.ipxe and a discovery registration). {@code GET /api/v1/nodes/{id}/timeline} then lists exactly those events in order, with
 * what each client said; {@code limit} takes the newest, a bad one is a 400; deleting the node deletes its
 * timeline (a node created again under the name starts empty).
 */
class TimelineIT {
    static final String MAC = "52:54:00:cc:00:01";
    static final String ADDRESS = "10.232.0.42";

    @TempDir
    static Path tmp;

    static Netns net;
    static DaemonProcess daemon;
    static String http;

    @BeforeAll
    static void start() throws Exception {
        if (!Netns.available()) {
            System.err.println(
                    "*** TimelineIT SKIPPED: cannot create network namespaces here (needs root and iproute2) ***");
            Assumptions.abort("cannot create network namespaces");
        }
        net = Netns.create("10.232.0.1/24");
        Path root = Files.createDirectories(tmp.resolve("tftproot"));
        Files.write(root.resolve("snponly.efi"), new byte[70_000]);
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(cfg, """
        dhcp: {listen: "0.0.0.0:67", interfaces: [vs], leaseTime: 600}
        tftp: {listen: "10.232.0.1:6969", root: "%s"}
        dns: {enabled: false}
        networks:
          - {name: admin, id: 1, cidr: 10.232.0.0/24, staticRange: 10.232.0.10-10.232.0.99,
             dhcpPool: 10.232.0.100-10.232.0.150, domain: tl.test, serverAddress: 10.232.0.1}
        """.formatted(root));
        daemon = DaemonProcess.start(net.inServer(), tmp.resolve("state"), "10.232.0.1:0", "--config", cfg.toString());
        http = "http://10.232.0.1:" + daemon.bootBase().getPort();
        net.must("ip", "-n", net.client, "link", "set", "vc", "address", MAC);
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (net != null) {
            net.close();
        }
    }

    /** An admin API call with curl in the server's namespace: the status, then the body. */
    static Http.Reply api(String method, String path, String body) throws Exception {
        return net.api(daemon, method, path, body);
    }

    static Netns.Result client(String... cmd) throws Exception {
        return net.inClient(60, cmd);
    }

    /** The timeline once it holds {@code count} events (they are stored off the packet threads). */
    static JsonNode timeline(String query, int count) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            Http.Reply r = api("GET", "/api/v1/nodes/tl1.tl.test/timeline" + query, null);
            assertEquals(200, r.status(), r.body());
            JsonNode t = Http.JSON.readTree(r.body());
            if (t.get("events").size() >= count || System.nanoTime() > deadline) {
                return t;
            }
            Thread.sleep(200);
        }
    }

    static List<String> lines(JsonNode t) {
        return StreamSupport.stream(t.get("events").spliterator(), false)
                .map(e -> e.get("source").asText() + " " + e.get("event").asText())
                .toList();
    }

    @Test
    void aBootsEventsInOrderThenGoneWithTheNode() throws Exception {
        Http.Reply created = api(
                "POST",
                "/api/v1/nodes",
                "{\"name\":\"tl1.tl.test\",\"macs\":[\"" + MAC + "\"],\"addresses\":{\"admin\":\"" + ADDRESS + "\"}}");
        assertEquals(201, created.status(), created.body());

        Path script = tmp.resolve("udhcpc.sh");
        Files.writeString(script, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Netns.Result dhcp = client(
                "busybox",
                "udhcpc",
                "-i",
                "vc",
                "-f",
                "-q",
                "-n",
                "-t",
                "5",
                "-T",
                "2",
                "-s",
                script.toString(),
                "-V",
                "PXEClient:Arch:00007:UNDI:003016",
                "-x",
                "0x5d:0007");
        assertEquals(0, dhcp.code(), dhcp.output() + "\nanvild log:\n" + daemon.log());
        // udhcpc's script would configure the address; the client namespace takes the one it was given.
        net.must("ip", "-n", net.client, "addr", "add", ADDRESS + "/24", "dev", "vc");

        Path got = tmp.resolve("got");
        Netns.Result tftp =
                client("tftp", "-m", "binary", "10.232.0.1", "6969", "-c", "get", "snponly.efi", got.toString());
        assertEquals(0, tftp.code(), tftp.output());
        assertEquals(70_000, Files.size(got));
        Netns.Result missing = client(
                "tftp",
                "-m",
                "binary",
                "10.232.0.1",
                "6969",
                "-c",
                "get",
                "no-such.efi",
                tmp.resolve("x").toString());
        assertTrue(missing.output().contains("Error code 1"), missing.output());

        Netns.Result ok = client("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", http + "/boot/snponly.efi");
        assertEquals("200", ok.output().trim());
        Netns.Result notFound = client("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", http + "/boot/vmlinuz");
        assertEquals("404", notFound.output().trim());

        JsonNode t = timeline("", 7);
        assertEquals("tl1.tl.test", t.get("node").asText());
        assertEquals(
                List.of(
                        "lifecycle created",
                        "dhcp discover -> offer",
                        "dhcp request -> ack",
                        "tftp read completed",
                        "tftp read refused",
                        "http GET 200",
                        "http GET 404"),
                lines(t),
                t.toString());
        JsonNode offer = t.get("events").get(1);
        assertEquals(MAC, offer.get("mac").asText());
        assertEquals(ADDRESS, offer.get("address").asText());
        String detail = offer.get("detail").asText();
        assertTrue(detail.contains("arch=7"), detail);
        assertTrue(detail.contains("vendor=PXEClient:Arch:00007:UNDI:003016"), detail);
        assertTrue(detail.contains("address=" + ADDRESS), detail);
        assertTrue(detail.contains("file=snponly.efi"), detail);
        JsonNode read = t.get("events").get(3);
        assertEquals(ADDRESS, read.get("address").asText());
        assertEquals(
                "file=snponly.efi bytes=70000 size=70000", read.get("detail").asText());
        assertTrue(t.get("events").get(4).get("detail").asText().contains("file=no-such.efi"));
        assertEquals(
                "path=/boot/snponly.efi bytes=70000",
                t.get("events").get(5).get("detail").asText());
        assertEquals(
                "path=/boot/vmlinuz bytes=",
                t.get("events").get(6).get("detail").asText().replaceAll("\\d+$", ""));
        String previous = "";
        for (JsonNode e : t.get("events")) {
            String at = e.get("at").asText();
            assertTrue(at.compareTo(previous) >= 0 && java.time.Instant.parse(at) != null, "in order: " + at);
            previous = at;
        }
        assertEquals(0, t.get("dropped").asLong());

        assertEquals(
                List.of("http GET 200", "http GET 404"),
                lines(timeline("?limit=2", 2)),
                "limit takes the newest, still oldest first");
        for (String bad : List.of("0", "1001", "ten")) {
            Http.Reply r = api("GET", "/api/v1/nodes/tl1.tl.test/timeline?limit=" + bad, null);
            assertEquals(400, r.status(), r.body());
            assertEquals("limit", Http.JSON.readTree(r.body()).get("field").asText(), r.body());
        }
        assertEquals(
                404, api("GET", "/api/v1/nodes/nobody.tl.test/timeline", null).status());

        // The per-node boot config the router renders, then the discovery image registering the machine again.
        Netns.Result ipxe =
                client("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", http + "/nodes/" + MAC + "/boot.ipxe");
        assertEquals("200", ipxe.output().trim());
        Netns.Result discover = client(
                "curl",
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-H",
                "Content-Type: application/json",
                "--data",
                "{\"mac\":\"" + MAC + "\"}",
                http + "/api/v1/discover");
        assertEquals("200", discover.output().trim(), "discover of a known machine\n" + daemon.log());
        JsonNode later = timeline("", 9);
        for (int i = 0; i < 50 && !lines(later).contains("discovery registered again"); i++) {
            Thread.sleep(200); // stored off the request's thread
            later = timeline("", 9);
        }
        List<String> more = lines(later).subList(7, later.get("events").size());
        assertEquals("http GET 200", more.get(0), later.toString());
        assertTrue(
                later.get("events")
                        .get(7)
                        .get("detail")
                        .asText()
                        .startsWith("path=/nodes/" + MAC + "/boot.ipxe bytes="),
                later.toString());
        assertTrue(more.contains("discovery registered again"), more.toString());

        assertEquals(204, api("DELETE", "/api/v1/nodes/tl1.tl.test", null).status());
        assertEquals(404, api("GET", "/api/v1/nodes/tl1.tl.test/timeline", null).status());
        assertEquals(
                201,
                api("POST", "/api/v1/nodes", "{\"name\":\"tl1.tl.test\",\"macs\":[\"52:54:00:cc:00:02\"]}")
                        .status());
        Thread.sleep(500);
        assertEquals(List.of("lifecycle created"), lines(timeline("", 1)), "the deleted node's events went with it");
    }
}
