package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.store.pg.PostgresServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Two real anvild on one real PostgreSQL server, each with its own DNS server on a loopback high port (issue 20,
 * doc/scale-out.md): a node created, renamed, given another MAC and deleted through A's API is answered
 * (or no longer answered) by B's DNS within a second, and B's API shows it; the latency of each is measured and
 * logged. A write through B reaches A the same way.
 */
class NodeSyncIT {
    static final long LIMIT_MS = 1000;

    @TempDir
    Path tmp;

    @Test
    void aNodeChangedThroughAIsAnsweredByBsDnsWithinASecond() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            String url = pg.createDatabase();
            Path password = tmp.resolve("db-password");
            Files.writeString(password, PostgresServer.PASSWORD + "\n");
            int dnsA = DnsIT.freePort();
            int dnsB = DnsIT.freePort();
            Path stateA = tmp.resolve("state-a");
            Path stateB = tmp.resolve("state-b");
            DaemonProcess a = DaemonProcess.start(
                    stateA,
                    "127.0.0.1:0",
                    "--config",
                    config("a", url, password, dnsA).toString());
            DaemonProcess b = null;
            try {
                Files.createDirectories(stateB);
                Files.copy(stateA.resolve("admin-token"), stateB.resolve("admin-token"));
                b = DaemonProcess.start(
                        stateB,
                        "127.0.0.1:0",
                        "--config",
                        config("b", url, password, dnsB).toString());
                Http httpA = a.api();
                Http httpB = b.api();
                List<String> measured = new ArrayList<>();

                Http.Reply made = httpA.post(
                        "/api/v1/nodes",
                        "{\"name\":\"n1.cluster.test\",\"macs\":[\"52:54:00:00:00:01\"],"
                                + "\"addresses\":{\"lo\":\"127.0.1.5\"}}");
                assertEquals(201, made.status(), made.body());
                measured.add("create " + answered(dnsB, "n1.cluster.test", Optional.of("127.0.1.5")) + " ms");
                JsonNode seen = httpB.get("/api/v1/nodes/n1.cluster.test").json();
                assertEquals("127.0.1.5", seen.at("/addresses/0/ipv4").asText(), seen.toString());

                Http.Reply renamed =
                        httpA.send("PATCH", "/api/v1/nodes/n1.cluster.test", "{\"name\":\"n2.cluster.test\"}");
                assertEquals(200, renamed.status(), renamed.body());
                measured.add("rename " + answered(dnsB, "n2.cluster.test", Optional.of("127.0.1.5")) + " ms");
                assertEquals(Optional.empty(), a(dnsB, "n1.cluster.test"), "the old name is gone from B's DNS");
                assertEquals(404, httpB.get("/api/v1/nodes/n1.cluster.test").status());
                assertEquals(200, httpB.get("/api/v1/nodes/n2.cluster.test").status());

                // a MAC change (PATCH changes no address: doc/api.md)
                Http.Reply remac =
                        httpA.send("PATCH", "/api/v1/nodes/n2.cluster.test", "{\"macs\":[\"52:54:00:00:00:aa\"]}");
                assertEquals(200, remac.status(), remac.body());
                JsonNode byMac = httpB.get("/api/v1/nodes/52:54:00:00:00:aa").json();
                assertEquals("n2.cluster.test", byMac.path("name").asText(), byMac.toString());

                assertEquals(
                        204,
                        httpA.send("DELETE", "/api/v1/nodes/n2.cluster.test", null)
                                .status());
                measured.add("delete " + answered(dnsB, "n2.cluster.test", Optional.empty()) + " ms");
                assertEquals(404, httpB.get("/api/v1/nodes/n2.cluster.test").status());

                // and the other way round
                Http.Reply byB = httpB.post(
                        "/api/v1/nodes",
                        "{\"name\":\"n3.cluster.test\",\"macs\":[\"52:54:00:00:00:03\"],"
                                + "\"addresses\":{\"lo\":\"127.0.1.7\"}}");
                assertEquals(201, byB.status(), byB.body());
                measured.add(
                        "create via B, A's DNS " + answered(dnsA, "n3.cluster.test", Optional.of("127.0.1.7")) + " ms");

                System.out.println("NodeSyncIT: a change through one instance answered by the other's DNS after "
                        + String.join(", ", measured));
                JsonNode sync = httpB.get("/api/v1/status").json().at("/services/node-sync/metrics");
                assertTrue(sync.path("listening").asBoolean(), sync.toString());
                assertTrue(sync.path("applied").asInt() >= 3, sync.toString());
                assertEquals(0, sync.path("resyncChanges").asInt(), "every change came by notification: " + sync);
                JsonNode syncA = httpA.get("/api/v1/status").json().at("/services/node-sync/metrics");
                assertTrue(syncA.path("applied").asInt() >= 1, syncA.toString());
                String logB = b.log();
                assertTrue(!logB.contains("ERROR"), logB);
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    private Path config(String name, String url, Path password, int dnsPort) throws Exception {
        Path cfg = tmp.resolve(name + ".yaml");
        Files.writeString(
                cfg,
                "store: {kind: postgresql, url: '" + url + "', user: " + PostgresServer.USER + ", passwordFile: "
                        + password + ", poolSize: 4, instance: " + name + "}\n"
                        + "dhcp: {enabled: false}\n"
                        + "tftp: {enabled: false}\n"
                        + "dns: {listen: \"127.0.0.1:" + dnsPort + "\"}\n"
                        + "lifecycle: {aliveIntervalSeconds: 0}\n"
                        + "networks:\n"
                        + "  - {name: lo, id: 1, cidr: 127.0.0.0/16, staticRange: 127.0.1.1-127.0.1.99, "
                        + "domain: cluster.test,\n"
                        + "     v6prefix: none, serverAddress: 127.0.0.1}\n");
        return cfg;
    }

    /**
     * Asks the DNS server on {@code port} for {@code name}'s A record until it answers {@code expected} (empty:
     * NXDOMAIN); returns the milliseconds since the call, at most {@link #LIMIT_MS}.
     */
    private static long answered(int port, String name, Optional<String> expected) throws Exception {
        long t0 = System.nanoTime();
        Optional<String> got = a(port, name);
        while (!got.equals(expected)) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms <= LIMIT_MS, name + " still answers " + got + " after " + ms + " ms, expected " + expected);
            Thread.sleep(5);
            got = a(port, name);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms <= LIMIT_MS, ms + " ms");
        return ms;
    }

    /** The A record's address for {@code name}, or empty on NXDOMAIN. */
    private static Optional<String> a(int port, String name) throws Exception {
        SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
        r.setPort(port);
        r.setTimeout(Duration.ofSeconds(2));
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
        Message m = r.send(q);
        if (m.getRcode() == Rcode.NXDOMAIN) {
            return Optional.empty();
        }
        assertEquals(Rcode.NOERROR, m.getRcode(), m.toString());
        for (Record rec : m.getSection(Section.ANSWER)) {
            if (rec instanceof ARecord ar) {
                return Optional.of(ar.getAddress().getHostAddress());
            }
        }
        throw new AssertionError("no A record and no NXDOMAIN for " + name + ": " + m);
    }
}
