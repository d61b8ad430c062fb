package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: what must stop the real daemon at start, with its exit code and a message that names the cause: a
 * second daemon on a port another one serves (DHCP and TFTP bind without SO_REUSEADDR/SO_REUSEPORT, so the kernel
 * refuses it instead of splitting the clients between the two), a configuration that would hand machines wrong
 * addresses, and a network removed from the configuration while nodes still use it.
 */
class StartRefusalIT {
    @TempDir
    Path tmp;

    record Exit(int code, String output) {}

    /** Runs anvild with these arguments to its end (it must end within a minute): its exit code and output. */
    static Exit run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DaemonProcess.launcher().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(
                    "anvild " + String.join(" ", args) + " did not stop: it should have refused to start");
        }
        return new Exit(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aSecondDaemonOnTheSameDhcpOrTftpPortIsRefused() throws Exception {
        int dhcp = DhcpLoadIT.freeUdpPort();
        int tftp = DhcpLoadIT.freeUdpPort();
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "dhcp: {listen: \"127.0.0.2:" + dhcp + "\", bootServerPort: 0}\n"
                        + "tftp: {listen: \"127.0.0.2:" + tftp + "\"}\n"
                        + "dns: {enabled: false}\n"
                        + "networks:\n"
                        + "  - {name: lo, id: 7, cidr: 127.0.0.0/8, staticRange: 127.0.0.10-127.0.0.99,\n"
                        + "     dhcpPool: 127.1.0.0-127.1.255.255, domain: lo.test, serverAddress: 127.0.0.2}\n");
        Path noDhcp = tmp.resolve("no-dhcp.yaml");
        Files.writeString(noDhcp, Files.readString(cfg).replaceFirst("dhcp: \\{.*}", "dhcp: {enabled: false}"));
        try (DaemonProcess first = DaemonProcess.start(tmp.resolve("a"), "127.0.0.1:0", "--config", cfg.toString())) {
            // Another state directory, so anvild.lock does not stop it: only the port can.
            Exit second = run(
                    "--config",
                    cfg.toString(),
                    "--state-dir",
                    tmp.resolve("b").toString(),
                    "--http-listen",
                    "127.0.0.1:" + freePort(),
                    "--api-listen",
                    "127.0.0.1:0");
            assertEquals(1, second.code(), second.output());
            assertTrue(
                    second.output().contains("cannot listen for DHCP on 127.0.0.2:" + dhcp + ": ")
                            && second.output()
                                    .contains(
                                            "Address already in use (another process, a second anvild perhaps, listens "
                                                    + "there already)"),
                    second.output());
            Exit third = run(
                    "--config",
                    noDhcp.toString(),
                    "--state-dir",
                    tmp.resolve("c").toString(),
                    "--http-listen",
                    "127.0.0.1:" + freePort(),
                    "--api-listen",
                    "127.0.0.1:0");
            assertEquals(1, third.code(), third.output());
            assertTrue(
                    third.output().contains("cannot listen for TFTP on 127.0.0.2:" + tftp + ": ")
                            && third.output().contains("a second anvild perhaps"),
                    third.output());
            // The first one still answers every client: each of 20 DISCOVERs gets its OFFER.
            try (DatagramSocket relay =
                    new DatagramSocket(new InetSocketAddress(DhcpLoadIT.RELAY.toInetAddress(), dhcp))) {
                relay.setSoTimeout(2000);
                for (int i = 0; i < 20; i++) {
                    byte[] q = DhcpLoadIT.packet(i, MessageType.DISCOVER, null);
                    relay.send(new DatagramPacket(q, q.length, DhcpLoadIT.SERVER.toInetAddress(), dhcp));
                    byte[] buf = new byte[1500];
                    DatagramPacket r = new DatagramPacket(buf, buf.length);
                    relay.receive(r);
                    DhcpPacket offer = DhcpCodec.decode(java.util.Arrays.copyOf(buf, r.getLength()));
                    assertEquals(i, offer.xid());
                }
            }
            assertTrue(first.api()
                            .get("/api/v1/status")
                            .json()
                            .at("/services/dhcp/metrics/offers")
                            .asInt()
                    >= 20);
        }
    }

    @Test
    void aConfigurationThatWouldMisleadMachinesStopsTheStartNamingTheField() throws Exception {
        Path cfg = tmp.resolve("bad.yaml");
        Files.writeString(
                cfg,
                "dhcp: {enabled: false}\ntftp: {enabled: false}\ndns: {enabled: false}\n"
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, domain: cluster.test}\n"
                        + "  - {name: lab, id: 2, cidr: 10.10.0.128/25, staticRange: 10.10.0.130-10.10.0.140, domain: cluster.test}\n");
        Exit e = run(
                "--config",
                cfg.toString(),
                "--state-dir",
                tmp.resolve("s").toString(),
                "--http-listen",
                "127.0.0.1:" + freePort(),
                "--api-listen",
                "127.0.0.1:0");
        assertEquals(2, e.code(), e.output());
        assertTrue(
                e.output().contains("networks[1].cidr: 10.10.0.128/25 overlaps networks[0] (admin, 10.10.0.0/24)"),
                e.output());
        assertTrue(
                e.output().contains("networks[0].serverAddress: is required on the admin network (admin)"), e.output());
        Exit zero = run(
                "--state-dir",
                tmp.resolve("s").toString(),
                "--http-listen",
                "127.0.0.1:0",
                "--api-listen",
                "127.0.0.1:0");
        assertEquals(2, zero.code(), zero.output());
        assertTrue(
                zero.output().contains("http.listen: 127.0.0.1:0: port 0 would be written into the URLs"),
                zero.output());
        assertTrue(!Files.exists(tmp.resolve("s").resolve("anvil.mv.db")), "refused before the store was made");
    }

    @Test
    void aNetworkRemovedFromTheConfigurationIsDeletedWhenUnusedAndRefusesTheStartWhenUsed() throws Exception {
        String admin = "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, "
                + "domain: cluster.test, serverAddress: 10.10.0.1}\n";
        String lab =
                "  - {name: lab, id: 2, cidr: 10.20.0.0/24, staticRange: 10.20.0.10-10.20.0.99, domain: lab.test}\n";
        String spare = "  - {name: spare, id: 3, cidr: 10.30.0.0/24, staticRange: 10.30.0.10-10.30.0.99, "
                + "domain: spare.test}\n";
        String head = "dhcp: {enabled: false}\ntftp: {enabled: false}\ndns: {enabled: false}\nnetworks:\n";
        Path all = tmp.resolve("all.yaml");
        Files.writeString(all, head + admin + lab + spare);
        Path state = tmp.resolve("state");
        try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", all.toString())) {
            Http.Reply r = d.api()
                    .post(
                            "/api/v1/nodes",
                            "{\"name\":\"n1.lab.test\",\"macs\":[\"52:54:00:12:34:56\"],"
                                    + "\"addresses\":{\"lab\":\"auto\"}}");
            assertEquals(201, r.status(), r.body());
        }
        Path adminOnly = tmp.resolve("admin-only.yaml");
        Files.writeString(adminOnly, head + admin);
        Exit e = run(
                "--config",
                adminOnly.toString(),
                "--state-dir",
                state.toString(),
                "--http-listen",
                "127.0.0.1:" + freePort(),
                "--api-listen",
                "127.0.0.1:0");
        assertEquals(1, e.code(), e.output());
        assertTrue(
                e.output()
                        .contains("removed from the configuration but still in use: \"lab\" (10.20.0.0/24): 1 "
                                + "node(s) hold addresses on it"),
                e.output());
        assertTrue(!e.output().contains("\"spare\""), "an unused one is no reason to refuse: " + e.output());
        Path withLab = tmp.resolve("with-lab.yaml");
        Files.writeString(withLab, head + admin + lab);
        try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", withLab.toString())) {
            assertEquals(404, d.api().get("/api/v1/networks/spare").status(), "the unused network is gone");
            assertEquals(200, d.api().get("/api/v1/networks/lab").status());
            assertTrue(
                    d.log()
                            .contains("network spare was removed from the configuration and no node used it: deleted "
                                    + "from the store"),
                    d.log());
        }
    }
}
