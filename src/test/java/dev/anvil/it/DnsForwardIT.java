package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forwarding for names outside Anvil's zones: a real NSD on loopback plays the upstream (authoritative for
 * example.org); dig asks Anvil. Allowed clients get the upstream's answer, a dead upstream gives SERVFAIL
 * within the timeout, and clients outside {@code forwardFor} still get REFUSED.
 */
class DnsForwardIT {
    @TempDir
    static Path tmp;

    static Process nsd;
    static int nsdPort;

    @BeforeAll
    static void upstream() throws Exception {
        nsdPort = DnsIT.freePort();
        Path dir = Files.createDirectories(tmp.resolve("nsd"));
        Files.writeString(
                dir.resolve("example.org.zone"),
                "$ORIGIN example.org.\n$TTL 300\n"
                        + "@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 192.0.2.1\n"
                        + "mirror IN A 192.0.2.80\n");
        Files.writeString(
                dir.resolve("nsd.conf"),
                "server:\n"
                        + "  ip-address: 127.0.0.1@" + nsdPort + "\n"
                        + "  username: \"\"\n  chroot: \"\"\n  database: \"\"\n  verbosity: 1\n"
                        + "  zonesdir: \"" + dir + "\"\n  zonelistfile: \"" + dir + "/zonelist\"\n"
                        + "  xfrdfile: \"" + dir + "/xfrd.state\"\n  xfrdir: \"" + dir + "\"\n  pidfile: \"" + dir
                        + "/nsd.pid\"\n"
                        + "remote-control:\n  control-enable: no\n"
                        + "zone:\n  name: example.org\n  zonefile: example.org.zone\n");
        nsd = new ProcessBuilder("nsd", "-d", "-c", dir.resolve("nsd.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nsd.log").toFile())
                .start();
        String a = "";
        for (int i = 0; i < 100 && !a.equals("192.0.2.80"); i++) {
            a = Netns.exec(
                            List.of(
                                    "dig",
                                    "@127.0.0.1",
                                    "-p",
                                    Integer.toString(nsdPort),
                                    "+short",
                                    "+time=1",
                                    "+tries=1",
                                    "mirror.example.org",
                                    "A"),
                            10)
                    .output()
                    .trim();
            Thread.sleep(100);
        }
        assertEquals("192.0.2.80", a, Files.readString(dir.resolve("nsd.log")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (nsd != null) {
            nsd.destroy();
            nsd.waitFor();
        }
    }

    /** Starts a daemon whose dns section is {@code dns}, runs {@code body} with its DNS port. */
    static void withDaemon(String name, String dns, DigBody body) throws Exception {
        int port = DnsIT.freePort();
        Path cfg = tmp.resolve(name + ".yaml");
        Files.writeString(
                cfg,
                "dhcp: {enabled: false}\ntftp: {enabled: false}\n"
                        + "dns: {listen: \"127.0.0.1:" + port + "\", " + dns + "}\n"
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, domain: cluster.test,\n"
                        + "     serverAddress: 10.10.0.1}\n");
        try (DaemonProcess d = DaemonProcess.start(tmp.resolve(name), "127.0.0.1:0", "--config", cfg.toString())) {
            body.run(port, d);
        }
    }

    interface DigBody {
        void run(int port, DaemonProcess daemon) throws Exception;
    }

    static String dig(int port, String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(port), "+time=3", "+tries=1"));
        cmd.addAll(List.of(args));
        Netns.Result r = Netns.exec(cmd, 30);
        assertEquals(0, r.code(), r.output());
        return r.output();
    }

    @Test
    void allowedClientsGetTheUpstreamsAnswerOverUdpAndTcp() throws Exception {
        withDaemon("fwd", "forwarders: [\"127.0.0.1:" + nsdPort + "\"], forwardFor: [127.0.0.0/8]", (port, d) -> {
            assertEquals(
                    "192.0.2.80", dig(port, "+short", "mirror.example.org", "A").trim());
            assertEquals(
                    "192.0.2.80",
                    dig(port, "+short", "+tcp", "mirror.example.org", "A").trim());
            String nx = dig(port, "nothere.example.org", "A");
            assertTrue(nx.contains("status: NXDOMAIN") && nx.contains("hostmaster.example.org"), nx);
            // Anvil's own zone is still answered by Anvil, authoritatively.
            String own = dig(port, "anvil.cluster.test", "A");
            assertTrue(own.contains("status: NOERROR") && own.contains("flags: qr aa"), own);
            String status = d.api().get("/api/v1/status").body();
            assertTrue(status.contains("\"forwarded\":3"), status);
        });
    }

    @Test
    void aDeadUpstreamGivesServfailInTime() throws Exception {
        int dead = DnsIT.freePort();
        withDaemon(
                "dead",
                "forwarders: [\"127.0.0.1:" + dead + "\"], forwardFor: [127.0.0.0/8], " + "forwardTimeoutMillis: 300",
                (port, d) -> {
                    long t0 = System.nanoTime();
                    String r = dig(port, "mirror.example.org", "A");
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue(r.contains("status: SERVFAIL"), r);
                    assertTrue(ms < 2500, "answered after " + ms + " ms");
                });
    }

    @Test
    void clientsOutsideForwardForAreRefused() throws Exception {
        withDaemon("refuse", "forwarders: [\"127.0.0.1:" + nsdPort + "\"], forwardFor: [192.0.2.0/24]", (port, d) -> {
            assertTrue(dig(port, "mirror.example.org", "A").contains("status: REFUSED"));
        });
    }
}
