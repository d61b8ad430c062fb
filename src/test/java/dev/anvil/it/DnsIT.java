package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dig (Debian bind9-dnsutils) against the real daemon's authoritative DNS on a loopback high port. */
class DnsIT {
    @TempDir
    static Path tmp;

    static DaemonProcess daemon;
    static Http http;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        port = freePort();
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "dhcp: {enabled: false}\n"
                        + "tftp: {enabled: false}\n"
                        + "dns: {listen: \"127.0.0.1:" + port + "\", secondaries: [\"127.0.0.1\"],\n"
                        + "      aliases: {www.cluster.test: n1.cluster.test}}\n"
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, domain: cluster.test,\n"
                        + "     serverAddress: 10.10.0.1}\n");
        daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
        http = daemon.api();
        Http.Reply r = http.post(
                "/api/v1/nodes",
                "{\"name\":\"n1.cluster.test\",\"macs\":[\"52:54:00:12:34:56\"],"
                        + "\"addresses\":{\"admin\":\"10.10.0.42\"}}");
        assertEquals(201, r.status(), r.body());
    }

    static int freePort() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket t = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", t.getLocalPort()))) {
                return t.getLocalPort();
            } catch (java.net.BindException e) {
                // try another
            }
        }
        throw new IllegalStateException("no free port");
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    static String dig(String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(port), "+time=3", "+tries=1"));
        cmd.addAll(List.of(args));
        Netns.Result r = Netns.exec(cmd, 30);
        assertEquals(0, r.code(), r.output());
        return r.output();
    }

    static String shortAnswer(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("+short");
        return dig(a.toArray(new String[0])).trim();
    }

    @Test
    void forwardAndReverseRecords() throws Exception {
        assertEquals("10.10.0.42", shortAnswer("n1.cluster.test", "A"));
        String aaaa = shortAnswer("n1.cluster.test", "AAAA");
        // Independent check: the interface ID is the low half of md5sum's output for the FQDN.
        String prefix =
                http.get("/api/v1/networks/admin").json().get("ipv6Prefix").asText();
        byte[] expected =
                InetAddress.getByName(prefix.substring(0, prefix.indexOf('/'))).getAddress();
        System.arraycopy(HexFormat.of().parseHex(ApiIT.md5sum("n1.cluster.test").substring(16)), 0, expected, 8, 8);
        assertEquals(InetAddress.getByAddress(expected), InetAddress.getByName(aaaa));
        assertEquals("n1.cluster.test.", shortAnswer("-x", "10.10.0.42"));
        assertEquals("n1.cluster.test.", shortAnswer("-x", aaaa));
        assertTrue(shortAnswer("cluster.test", "SOA").startsWith("anvil.cluster.test. hostmaster.cluster.test."));
        assertEquals("anvil.cluster.test.", shortAnswer("cluster.test", "NS"));
        assertEquals("10.10.0.1", shortAnswer("anvil.cluster.test", "A"));
        assertEquals("10.10.0.42", shortAnswer("N1.CLUSTER.TEST", "A"));
        assertEquals("n1.cluster.test.\n10.10.0.42", shortAnswer("www.cluster.test", "A"), "a configured alias");
    }

    @Test
    void negativeAnswersCarryTheSoaAndForeignNamesAreRefused() throws Exception {
        String nx = dig("nope.cluster.test", "A");
        assertTrue(nx.contains("status: NXDOMAIN") && nx.contains("flags: qr aa"), nx);
        assertTrue(nx.contains("AUTHORITY: 1") && nx.contains("SOA"), nx);
        String nodata = dig("n1.cluster.test", "MX");
        assertTrue(
                nodata.contains("status: NOERROR") && nodata.contains("ANSWER: 0") && nodata.contains("AUTHORITY: 1"),
                nodata);
        assertTrue(dig("example.com", "A").contains("status: REFUSED"));
        assertTrue(dig("n1.cluster.test", "A").contains("udp: 1232"), "EDNS0 with a 1232-byte payload");
    }

    @Test
    void nodeChangesShowInTheVeryNextAnswer() throws Exception {
        assertEquals(
                201,
                http.post("/api/v1/nodes", "{\"name\":\"n2.cluster.test\",\"macs\":[\"52:54:00:12:34:57\"]}")
                        .status());
        assertTrue(shortAnswer("n2.cluster.test", "A").startsWith("10.10.0."));
        assertEquals(
                200,
                http.send("PATCH", "/api/v1/nodes/n2.cluster.test", "{\"name\":\"n3.cluster.test\"}")
                        .status());
        assertTrue(dig("n2.cluster.test", "A").contains("NXDOMAIN"));
        assertTrue(shortAnswer("n3.cluster.test", "A").startsWith("10.10.0."));
        assertEquals(
                204, http.send("DELETE", "/api/v1/nodes/n3.cluster.test", null).status());
        assertTrue(dig("n3.cluster.test", "A").contains("NXDOMAIN"));
    }

    @Test
    void bigAnswersTruncateOverUdpAndCompleteOverTcp() throws Exception {
        StringBuilder addrs = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            assertEquals(
                    201,
                    http.post(
                                    "/api/v1/networks",
                                    "{\"name\":\"m" + i + "\",\"id\":" + (100 + i)
                                            + ",\"cidr\":\"10.60." + i + ".0/24\",\"staticRange\":\"10.60." + i
                                            + ".10-10.60." + i
                                            + ".20\",\"domain\":\"multi.test\"}")
                            .status());
            addrs.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":\"auto\"");
        }
        Http.Reply node = http.post(
                "/api/v1/nodes",
                "{\"name\":\"big.multi.test\",\"macs\":[\"52:54:00:99:99:99\"]," + "\"addresses\":{" + addrs + "}}");
        assertEquals(201, node.status(), node.body());
        String udp = dig("big.multi.test", "AAAA", "+bufsize=512", "+ignore");
        assertTrue(udp.contains("flags: qr aa tc"), udp);
        String tcp = dig("big.multi.test", "AAAA", "+tcp");
        assertTrue(tcp.contains("ANSWER: 30"), tcp);
        String v4 = dig("big.multi.test", "A", "+noedns", "+ignore");
        assertTrue(v4.contains("flags: qr aa tc") || v4.contains("ANSWER: 30"), v4);
    }

    @Test
    void zoneTransferOnlyToSecondaries() throws Exception {
        String axfr = dig("cluster.test", "AXFR");
        assertTrue(axfr.contains("n1.cluster.test.") && axfr.contains("XFR size"), axfr);
        assertEquals(
                2,
                axfr.lines()
                        .filter(l -> l.matches("^cluster\\.test\\.\\s+\\d+\\s+IN\\s+SOA.*"))
                        .count(),
                axfr);
        String refused = dig("-b", "127.0.0.2", "cluster.test", "AXFR");
        assertTrue(refused.contains("Transfer failed") || refused.contains("REFUSED"), refused);
        String reverse = dig("0.10.10.in-addr.arpa", "AXFR");
        assertTrue(reverse.contains("42.0.10.10.in-addr.arpa.") && reverse.contains("PTR"), reverse);
    }

    /** Sends {@code query} over UDP (or TCP) and returns the reply in hex, or "" when none came within a second. */
    static String raw(String query, boolean tcp) throws Exception {
        byte[] q = HexFormat.of().parseHex(query.replace(" ", ""));
        byte[] buf = new byte[4096];
        if (tcp) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.setSoTimeout(1000);
                java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
                out.writeShort(q.length);
                out.write(q);
                java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                byte[] r = new byte[in.readUnsignedShort()];
                in.readFully(r);
                return HexFormat.of().formatHex(r);
            } catch (java.io.EOFException | java.net.SocketTimeoutException e) {
                return "";
            }
        }
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1000);
            s.send(new java.net.DatagramPacket(q, q.length, new InetSocketAddress("127.0.0.1", port)));
            java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
            s.receive(p);
            return HexFormat.of().formatHex(buf, 0, p.getLength());
        } catch (java.net.SocketTimeoutException e) {
            return "";
        }
    }

    /** RFC 6891: malformed EDNS gets FORMERR, byte for byte (EdnsFormerrTest has every case), over UDP and TCP. */
    @Test
    void malformedEdnsGetsFormerr() throws Exception {
        String q = "1234 0100 0001 0000 0000 0002 026e3107636c75737465720474657374000001 0001";
        String opt = "000029 1000 00000000 0000";
        String formerrOpt = "12348101000000000000000100002904d0000000000000";
        long before = http.get("/api/v1/status")
                .json()
                .at("/services/dns/metrics/formerr")
                .asLong();
        for (boolean tcp : new boolean[] {false, true}) {
            assertEquals(formerrOpt, raw(q + opt + opt, tcp), "two OPTs");
            assertEquals(
                    "123481010000000000000000",
                    raw(q.replace("0002 02", "0001 02") + "016100 0029 1000 00000000 0000", tcp),
                    "an OPT owned by a.");
            assertEquals(
                    formerrOpt,
                    raw(q.replace("0002 02", "0001 02") + "000029 1000 00000000 0004 000a0010", tcp),
                    "an option longer than its OPT");
            assertEquals("", raw("1234 0100 0001 0000 0000 00", tcp), "no whole header: no answer");
        }
        String dig = dig("n1.cluster.test", "A", "+nocookie", "+ednsopt=10:abcd");
        assertTrue(dig.contains("status: FORMERR"), "a 2-byte cookie (RFC 7873 §5.2.2)\n" + dig);
        assertTrue(dig("n1.cluster.test", "A").contains("status: NOERROR"), "a sound cookie");
        assertEquals(
                before + 7,
                http.get("/api/v1/status")
                        .json()
                        .at("/services/dns/metrics/formerr")
                        .asLong());
    }

    static String fromNsd(int nsdPort, String... query) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of("dig", "@127.0.0.1", "-p", Integer.toString(nsdPort), "+short", "+time=1", "+tries=1"));
        cmd.addAll(List.of(query));
        String a = "";
        for (int i = 0; i < 100 && a.isEmpty(); i++) {
            a = Netns.exec(cmd, 10).output().trim();
            if (a.isEmpty() || a.startsWith(";")) {
                a = "";
                Thread.sleep(200);
            }
        }
        return a;
    }

    @Test
    void nsdAsSecondaryServesTheSameNames() throws Exception {
        int nsdPort = freePort();
        Path dir = Files.createDirectories(tmp.resolve("nsd"));
        Files.writeString(
                dir.resolve("nsd.conf"),
                "server:\n"
                        + "  ip-address: 127.0.0.1@" + nsdPort + "\n"
                        + "  username: \"\"\n  chroot: \"\"\n  database: \"\"\n  verbosity: 1\n"
                        + "  zonesdir: \"" + dir + "\"\n  zonelistfile: \"" + dir + "/zonelist\"\n"
                        + "  xfrdfile: \"" + dir + "/xfrd.state\"\n  xfrdir: \"" + dir + "\"\n  pidfile: \"" + dir
                        + "/nsd.pid\"\n"
                        + "remote-control:\n  control-enable: no\n"
                        + "zone:\n  name: cluster.test\n  zonefile: cluster.test.zone\n"
                        + "  request-xfr: 127.0.0.1@" + port + " NOKEY\n  allow-notify: 127.0.0.1 NOKEY\n"
                        + "zone:\n  name: 0.10.10.in-addr.arpa\n  zonefile: rev.zone\n"
                        + "  request-xfr: 127.0.0.1@" + port + " NOKEY\n  allow-notify: 127.0.0.1 NOKEY\n");
        Process nsd = new ProcessBuilder(
                        "nsd", "-d", "-c", dir.resolve("nsd.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nsd.log").toFile())
                .start();
        try {
            // Each zone is transferred on its own: wait (bounded) for every answer.
            assertEquals(
                    "10.10.0.42", fromNsd(nsdPort, "n1.cluster.test", "A"), Files.readString(dir.resolve("nsd.log")));
            assertEquals(shortAnswer("n1.cluster.test", "AAAA"), fromNsd(nsdPort, "n1.cluster.test", "AAAA"));
            assertEquals(
                    "n1.cluster.test.", fromNsd(nsdPort, "-x", "10.10.0.42"), Files.readString(dir.resolve("nsd.log")));
        } finally {
            nsd.destroy();
            nsd.waitFor();
        }
    }

    @Test
    void theOperatorsRecordsAreServedBesideTheDerivedOnesAndBigAnswersTruncateOverUdpOnly() throws Exception {
        Http.Reply node = http.post(
                "/api/v1/nodes",
                "{\"name\":\"rr1.cluster.test\",\"macs\":[\"52:54:00:00:0d:01\"],"
                        + "\"addresses\":{\"admin\":\"10.10.0.50\"}}");
        assertEquals(201, node.status(), node.body());
        String derived = shortAnswer("rr1.cluster.test", "AAAA");
        assertTrue(derived.startsWith("fd"), "the derived ULA address first: " + derived);
        // A second A on the node's name (round robin), an AAAA replacing the derived one, CNAME, TXT, SRV.
        List<Long> ids = new ArrayList<>();
        for (String body : List.of(
                "{\"name\":\"rr1.cluster.test\",\"type\":\"A\",\"data\":\"10.10.0.51\"}",
                "{\"name\":\"rr1.cluster.test\",\"type\":\"AAAA\",\"data\":\"fd00:1::51\"}",
                "{\"name\":\"files.cluster.test\",\"type\":\"CNAME\",\"data\":\"rr1.cluster.test\"}",
                "{\"name\":\"rr1.cluster.test\",\"type\":\"TXT\",\"data\":\"rack=7 row=b\"}",
                "{\"name\":\"_http._tcp.cluster.test\",\"type\":\"SRV\",\"data\":\"10 5 8081 rr1.cluster.test\",\"ttl\":60}")) {
            Http.Reply r = http.post("/api/v1/dns/records", body);
            assertEquals(201, r.status(), r.body());
            ids.add(r.json().get("id").asLong());
        }
        assertEquals(List.of("10.10.0.50", "10.10.0.51"), sorted(shortAnswer("rr1.cluster.test", "A")));
        assertEquals("fd00:1::51", shortAnswer("rr1.cluster.test", "AAAA"), "the explicit AAAA replaces the derived");
        assertEquals("", shortAnswer("-x", derived), "and the derived address has no PTR any more");
        assertTrue(shortAnswer("files.cluster.test", "A").startsWith("rr1.cluster.test."), "CNAME then its target");
        assertEquals("\"rack=7 row=b\"", shortAnswer("rr1.cluster.test", "TXT"));
        assertEquals("10 5 8081 rr1.cluster.test.", shortAnswer("_http._tcp.cluster.test", "SRV"));
        // Refusals: a CNAME beside data, a name outside the zones, bad data.
        assertEquals(
                409,
                http.post(
                                "/api/v1/dns/records",
                                "{\"name\":\"rr1.cluster.test\",\"type\":\"CNAME\",\"data\":\"n1.cluster.test\"}")
                        .status());
        assertEquals(
                400,
                http.post("/api/v1/dns/records", "{\"name\":\"www.example.org\",\"type\":\"A\",\"data\":\"10.10.0.9\"}")
                        .status());
        Http.Reply bad =
                http.post("/api/v1/dns/records", "{\"name\":\"x.cluster.test\",\"type\":\"A\",\"data\":\"300.1.1.1\"}");
        assertEquals(400, bad.status());
        assertTrue(bad.body().contains("\"field\":\"data\""), bad.body());
        // 40 addresses on one name: over UDP without EDNS the answer does not fit 512 bytes: TC, as NSD does;
        // over TCP the whole set.
        for (int i = 1; i <= 40; i++) {
            assertEquals(
                    201,
                    http.post(
                                    "/api/v1/dns/records",
                                    "{\"name\":\"pool.cluster.test\",\"type\":\"A\"," + "\"data\":\"10.10.1." + i
                                            + "\"}")
                            .status());
        }
        String udp = dig("pool.cluster.test", "A", "+noedns", "+ignore");
        assertTrue(udp.contains(" tc") || udp.contains("tc "), "truncated over UDP: " + udp);
        assertEquals(40, shortAnswer("pool.cluster.test", "A", "+tcp").lines().count(), "complete over TCP");
        // Deleting the AAAA brings the derived one back.
        assertEquals(
                204,
                http.send("DELETE", "/api/v1/dns/records/" + ids.get(1), null).status());
        assertEquals(derived, shortAnswer("rr1.cluster.test", "AAAA"));
        assertEquals(200, http.get("/api/v1/dns/records").status());
    }

    static List<String> sorted(String lines) {
        return lines.lines().sorted().toList();
    }
}
