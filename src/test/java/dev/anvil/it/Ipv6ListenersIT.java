package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TFTP, HTTP (the boot listener) and DNS on {@code [::]} (one dual-stack socket each), asked over IPv6 by real
 * clients in a network namespace joined to the daemon's by a veth pair with no route out: {@code tftp -6}
 * (tftp-hpa) and curl fetch a file byte for byte and a generated boot config whose URLs name the server's IPv6
 * address in brackets; a node's answer file goes to the node's derived IPv6 address and to no other address of
 * the /64; {@code dig} gets the AAAA and PTR over UDP and TCP on IPv6. The same sockets still answer IPv4.
 */
class Ipv6ListenersIT {
    static final String SERVER6 = "fd00:233::1";
    static final String OTHER6 = "fd00:233::99";
    static final String NODE = "n1.it6l.test";
    static final String MAC = "52:54:00:cc:00:01";

    @TempDir
    static Path tmp;

    static Netns net;
    static DaemonProcess daemon;
    static int port;
    static byte[] blob;
    static String derived;
    static String ipv4;

    @BeforeAll
    static void start() throws Exception {
        if (!Netns.available()) {
            System.err.println(
                    "*** Ipv6ListenersIT SKIPPED: cannot create network namespaces here (needs root and iproute2) ***");
            Assumptions.abort("cannot create network namespaces");
        }
        net = Netns.create("10.233.0.1/24");
        net.withoutDad();
        net.must("ip", "-n", net.server, "addr", "add", SERVER6 + "/64", "dev", "vs", "nodad");
        net.must("ip", "-n", net.client, "addr", "add", OTHER6 + "/64", "dev", "vc", "nodad");
        Path root = Files.createDirectories(tmp.resolve("tftp"));
        blob = new byte[300_000];
        new Random(6).nextBytes(blob);
        Files.write(root.resolve("blob.bin"), blob);
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(cfg, """
        dhcp: {enabled: false}
        dhcp6: {enabled: false}
        ra: {enabled: false}
        tftp: {listen: "[::]:69", root: "%s"}
        dns: {listen: "[::]:53"}
        lifecycle: {aliveIntervalSeconds: 0}
        networks:
          - {name: admin, id: 1, cidr: 10.233.0.0/24, staticRange: 10.233.0.10-10.233.0.99,
             domain: it6l.test, serverAddress: 10.233.0.1, v6prefix: "fd00:233::/64"}
        """.formatted(root));
        daemon = DaemonProcess.start(net.inServer(), tmp.resolve("state"), "[::]:" + port, "--config", cfg.toString());
        Http.Reply created = net.api(
                daemon,
                "POST",
                "/api/v1/nodes",
                "{\"name\":\"" + NODE + "\",\"macs\":[\"" + MAC + "\"],\"bootEnv\":\"debian-12-install\"}");
        assertEquals(201, created.status(), created.body());
        JsonNode a = new ObjectMapper().readTree(created.body()).at("/addresses/0");
        derived = a.path("ipv6").asText();
        ipv4 = a.path("ipv4").asText();
        assertTrue(derived.startsWith("fd00:233::"), created.body());
        net.must("ip", "-n", net.client, "addr", "add", derived + "/64", "dev", "vc", "nodad");
        net.must("ip", "-n", net.client, "addr", "add", ipv4 + "/24", "dev", "vc");
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

    /** curl in the client namespace from {@code source}: the status line last, the body before it. */
    static Http.Reply curl(String source, String url) throws Exception {
        Netns.Result r = net.inClient(
                30, "curl", "-sS", "-g", "--max-time", "20", "--interface", source, "-w", "\n%{http_code}", url);
        assertEquals(0, r.code(), r.output());
        int nl = r.output().lastIndexOf('\n');
        return new Http.Reply(
                Integer.parseInt(r.output().substring(nl + 1).trim()),
                r.output().substring(0, nl),
                null);
    }

    static String boot6(String path) {
        return "http://[" + SERVER6 + "]:" + port + path;
    }

    @Test
    void tftpServesAFileByteExactAndGeneratedConfigsNameTheIpv6Server() throws Exception {
        Path out = tmp.resolve("tftp-hpa.bin");
        Netns.Result r =
                net.inClient(60, "tftp", "-6", "-m", "binary", SERVER6, "-c", "get", "blob.bin", out.toString());
        assertEquals(0, r.code(), r.output());
        assertArrayEquals(blob, Files.readAllBytes(out), "tftp -6: " + r.output());
        Path viaCurl = tmp.resolve("curl-tftp.bin");
        r = net.inClient(
                60,
                "curl",
                "-sS",
                "-g",
                "--max-time",
                "30",
                "-o",
                viaCurl.toString(),
                "tftp://[" + SERVER6 + "]/blob.bin");
        assertEquals(0, r.code(), r.output());
        assertArrayEquals(blob, Files.readAllBytes(viaCurl), "curl tftp://[...]");
        r = net.inClient(
                30,
                "curl",
                "-sS",
                "-g",
                "--max-time",
                "20",
                "tftp://[" + SERVER6 + "]/nodes/" + MAC.replace(':', '-') + "/boot.ipxe");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("kernel http://[" + SERVER6 + "]:" + port + "/install/debian-12/"), r.output());
        assertFalse(r.output().contains("10.233.0.1"), r.output());
        // The same socket answers IPv4, with the IPv4 server in the URLs.
        Path out4 = tmp.resolve("tftp-v4.bin");
        r = net.inClient(60, "tftp", "-4", "-m", "binary", "10.233.0.1", "-c", "get", "blob.bin", out4.toString());
        assertEquals(0, r.code(), r.output());
        assertArrayEquals(blob, Files.readAllBytes(out4));
        r = net.inClient(
                30,
                "curl",
                "-sS",
                "--max-time",
                "20",
                "tftp://10.233.0.1/nodes/" + MAC.replace(':', '-') + "/boot.ipxe");
        assertTrue(r.output().contains("kernel http://10.233.0.1:" + port + "/install/debian-12/"), r.output());
    }

    @Test
    void theBootListenerServesFilesAndBootConfigsOverIpv6() throws Exception {
        Path out = tmp.resolve("http.bin");
        Netns.Result r = net.inClient(
                30,
                "curl",
                "-sS",
                "-g",
                "--max-time",
                "20",
                "--interface",
                OTHER6,
                "-o",
                out.toString(),
                "-w",
                "%{http_code}",
                boot6("/boot/blob.bin"));
        assertEquals("200", r.output().trim(), r.output());
        assertArrayEquals(blob, Files.readAllBytes(out));
        Http.Reply ipxe = curl(OTHER6, boot6("/nodes/" + MAC + "/boot.ipxe"));
        assertEquals(200, ipxe.status(), ipxe.body());
        assertTrue(
                ipxe.body().contains("url=http://[" + SERVER6 + "]:" + port + "/nodes/" + NODE + "/install.cfg"),
                ipxe.body());
        Http.Reply gen = curl(OTHER6, boot6("/boot/nodes/" + MAC.replace(':', '-') + "/boot.ipxe"));
        assertEquals(200, gen.status(), gen.body());
        assertTrue(gen.body().contains("http://[" + SERVER6 + "]:" + port + "/install/debian-12/"), gen.body());
    }

    @Test
    void aNodesFilesGoToItsDerivedIpv6AddressAndToNoOtherAddressOfTheSlash64() throws Exception {
        Http.Reply own = curl(derived, boot6("/nodes/" + NODE + "/install.cfg"));
        assertEquals(200, own.status(), own.body() + "\n" + daemon.log());
        assertTrue(
                own.body().contains("http://[" + SERVER6 + "]:" + port + "/api/v1/nodes/" + NODE + "/installing"),
                own.body());
        Http.Reply post = curl(derived, boot6("/nodes/" + NODE + "/post-install.sh"));
        assertEquals(200, post.status(), post.body());
        assertTrue(
                post.body()
                        .contains("'" + java.net.InetAddress.getByName(derived).getHostAddress() + "' '64'"),
                post.body());
        assertEquals(404, curl(OTHER6, boot6("/nodes/" + NODE + "/install.cfg")).status());
        assertEquals(
                404, curl(OTHER6, boot6("/nodes/" + NODE + "/post-install.sh")).status());
        assertTrue(daemon.log().contains("the request comes from " + OTHER6 + ", not from the node"), daemon.log());
        // Its IPv4 reservation, through the same dual-stack socket (an IPv4-mapped source), is the node too.
        Http.Reply v4 = curl(ipv4, "http://10.233.0.1:" + port + "/nodes/" + NODE + "/install.cfg");
        assertEquals(200, v4.status(), v4.body());
        assertTrue(v4.body().contains("http://10.233.0.1:" + port + "/api/v1/nodes/"), v4.body());
    }

    static String dig(String... q) throws Exception {
        String[] cmd = new String[4 + q.length];
        cmd[0] = "dig";
        cmd[1] = "+short";
        cmd[2] = "+time=3";
        cmd[3] = "+tries=2";
        System.arraycopy(q, 0, cmd, 4, q.length);
        Netns.Result r = net.inClient(20, cmd);
        assertEquals(0, r.code(), r.output());
        return r.output().trim();
    }

    @Test
    void dnsAnswersAaaaAndPtrOverIpv6UdpAndTcp() throws Exception {
        String canonical = java.net.InetAddress.getByName(derived).getHostAddress();
        for (String transport : new String[] {"+notcp", "+tcp"}) {
            String aaaa = dig("@" + SERVER6, transport, "AAAA", NODE);
            assertEquals(java.net.InetAddress.getByName(aaaa).getHostAddress(), canonical, transport);
            assertEquals(NODE + ".", dig("@" + SERVER6, transport, "-x", derived), transport);
            assertEquals(ipv4, dig("@10.233.0.1", transport, "A", NODE), "IPv4 on the same socket, " + transport);
        }
    }
}
