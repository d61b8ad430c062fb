package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 discovery registrations with made-up MACs from one source, against the real daemon: the per-source
 * limit (default config) or the cap on machines never admitted (per-source limit lifted) holds, no static
 * address is taken, and the admin API answers within a second throughout.
 */
class DiscoveryFloodIT {
    static final int FLOOD = 10_000;

    @TempDir
    Path tmp;

    record Outcome(
            Map<Integer, Integer> statuses, long slowestAdminMillis, JsonNode nodes, JsonNode status, double seconds) {}

    Outcome flood(String extraConfig) throws Exception {
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "dhcp: {enabled: false}\ndns: {enabled: false}\n"
                        + "tftp: {enabled: false}\nlifecycle: {aliveIntervalSeconds: 0}\n" + extraConfig
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, domain: cluster.test,\n"
                        + "     serverAddress: 10.10.0.1}\n");
        try (DaemonProcess d = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString())) {
            Http admin = d.api();
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            URI discover = d.bootUri("/api/v1/discover");
            Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
            AtomicInteger sent = new AtomicInteger();
            long started = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                work.add(pool.submit(() -> {
                    while (sent.getAndIncrement() < FLOOD) {
                        long m = ThreadLocalRandom.current().nextLong(1L << 40);
                        String mac = String.format(
                                "02:%02x:%02x:%02x:%02x:%02x",
                                (m >> 32) & 0xff, (m >> 24) & 0xff, (m >> 16) & 0xff, (m >> 8) & 0xff, m & 0xff);
                        HttpRequest req = HttpRequest.newBuilder(discover)
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"mac\":\"" + mac + "\"}"))
                                .build();
                        int code = client.send(req, HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                        statuses.merge(code, 1, Integer::sum);
                    }
                    return null;
                }));
            }
            AtomicLong slowest = new AtomicLong();
            while (work.stream().anyMatch(f -> !f.isDone())) {
                long t0 = System.nanoTime();
                assertEquals(200, admin.get("/api/v1/status").status());
                slowest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                Thread.sleep(100);
            }
            for (Future<?> f : work) {
                f.get();
            }
            pool.shutdown();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(
                    "discovery flood: %d registrations in %.1f s, answers %s, slowest admin call %d ms%n",
                    FLOOD, seconds, statuses, slowest.get());
            return new Outcome(
                    statuses,
                    slowest.get(),
                    admin.get("/api/v1/nodes").json(),
                    admin.get("/api/v1/status").json(),
                    seconds);
        }
    }

    static void noStaticAddressTaken(JsonNode nodes) {
        for (JsonNode n : nodes) {
            assertEquals(0, n.path("addresses").size(), "a discovered machine holds no reservation: " + n);
        }
    }

    @Test
    void thePerSourceLimitHolds() throws Exception {
        Outcome o = flood("");
        int created = o.statuses().getOrDefault(201, 0);
        // A burst of 60, then one a second (60 a minute) while the flood lasts.
        assertTrue(
                created >= 60 && created <= 61 + Math.ceil(o.seconds()),
                "60 a minute from one source, " + o.seconds() + " s: " + o.statuses());
        assertEquals(
                FLOOD,
                o.statuses().values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(
                FLOOD - created, o.statuses().getOrDefault(429, 0), o.statuses().toString());
        assertEquals(created, o.nodes().size());
        noStaticAddressTaken(o.nodes());
        assertTrue(o.slowestAdminMillis() < 1000, "admin call took " + o.slowestAdminMillis() + " ms");
        assertEquals(
                FLOOD - created,
                o.status().at("/security/discovery/refusedSourceRate").asLong());
    }

    @Test
    void theCapOnMachinesNeverAdmittedHolds() throws Exception {
        Outcome o = flood("discovery: {perSourcePerMinute: 1000000, maxPending: 200}\n");
        assertEquals(200, o.statuses().getOrDefault(201, 0), o.statuses().toString());
        assertEquals(
                FLOOD - 200, o.statuses().getOrDefault(503, 0), o.statuses().toString());
        assertEquals(200, o.nodes().size());
        noStaticAddressTaken(o.nodes());
        assertTrue(o.slowestAdminMillis() < 1000, "admin call took " + o.slowestAdminMillis() + " ms");
        assertEquals(
                FLOOD - 200, o.status().at("/security/discovery/refusedFull").asLong());
    }
}
