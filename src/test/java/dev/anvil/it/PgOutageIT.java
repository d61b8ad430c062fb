package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.store.pg.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped for 10 s under a running anvild (issue 20, doc/scale-out.md "When the database is
 * unreachable"): known nodes and leased clients keep getting their addresses from DHCP, an API request is refused
 * with 503 within the pool's connection timeout (its token cannot be checked) and is not acknowledged; once the
 * server is back the same daemon (no restart) takes writes again, and every node acknowledged before or after the
 * outage is there, the refused one is not.
 */
class PgOutageIT {
    @TempDir
    Path tmp;

    @Test
    void aTenSecondOutageLosesNothingAcknowledged() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            String url = pg.createDatabase();
            int port = DhcpLoadIT.freeUdpPort();
            Path cfg = PgStoreIT.config(tmp, url, port);
            try (DaemonProcess d =
                    DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString())) {
                Http http = d.api();
                List<String> acknowledged = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    acknowledged.add(create(http, "before" + i, i, 201));
                }
                Map<Integer, Ipv4Address> leases = PgStoreIT.dora(port);

                pg.stopServer();
                long down = System.nanoTime();
                // DHCP answers from memory and its lease journal: the same addresses, database or not
                assertEquals(leases, PgStoreIT.dora(port), "DHCP during the outage");
                // a write waits at most the pool's connection timeout (10 s) for the token check, then a clear 503;
                // it is not acknowledged
                long t0 = System.nanoTime();
                Http.Reply refused = http.post(
                        "/api/v1/nodes", "{\"name\":\"during.lo.test\",\"macs\":[\"" + DhcpLoadIT.mac(50) + "\"]}");
                double waited = (System.nanoTime() - t0) / 1e9;
                assertEquals(503, refused.status(), refused.body() + "\nanvild's log:\n" + tail(d.log()));
                assertTrue(refused.body().contains("the store is unavailable"), refused.body());
                assertTrue(waited < 15, "refused after " + waited + " s");
                long left = 10_000 - (System.nanoTime() - down) / 1_000_000;
                if (left > 0) {
                    Thread.sleep(left);
                }
                pg.startServer();

                // the same daemon takes writes again once the pool reconnects
                String after = null;
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (after == null && System.nanoTime() < deadline) {
                    Http.Reply r = http.post(
                            "/api/v1/nodes", "{\"name\":\"after.lo.test\",\"macs\":[\"" + DhcpLoadIT.mac(51) + "\"]}");
                    if (r.status() == 201) {
                        after = "after.lo.test";
                    } else {
                        assertEquals(503, r.status(), r.body());
                        Thread.sleep(500);
                    }
                }
                assertTrue(after != null, "no write taken within 30 s of the server's start");
                acknowledged.add(after);
                assertEquals(200, http.get("/api/v1/status").status());
                assertEquals(
                        new TreeSet<>(acknowledged),
                        names(http.get("/api/v1/nodes").json()));
                assertEquals(leases, PgStoreIT.dora(port), "DHCP after the outage");
                d.stop();
            }
            // and in the database itself, read by a fresh daemon
            try (DaemonProcess d =
                    DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString())) {
                TreeSet<String> names = names(d.api().get("/api/v1/nodes").json());
                assertEquals(
                        new TreeSet<>(
                                List.of("after.lo.test", "before0.lo.test", "before1.lo.test", "before2.lo.test")),
                        names);
            }
        }
    }

    private static String create(Http http, String label, int mac, int status) throws Exception {
        String name = label + ".lo.test";
        Http.Reply r =
                http.post("/api/v1/nodes", "{\"name\":\"" + name + "\",\"macs\":[\"" + DhcpLoadIT.mac(mac) + "\"]}");
        assertEquals(status, r.status(), r.body());
        return name;
    }

    private static TreeSet<String> names(JsonNode nodes) {
        TreeSet<String> out = new TreeSet<>();
        nodes.forEach(n -> out.add(n.path("name").asText()));
        return out;
    }

    private static String tail(String log) {
        return log.length() <= 6000 ? log : log.substring(log.length() - 6000);
    }
}
