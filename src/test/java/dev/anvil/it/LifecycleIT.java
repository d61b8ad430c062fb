package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start, stop, restart, kill -9 and configuration checks of the real daemon process. */
class LifecycleIT {
    static final String BIG_CONFIG = """
      dhcp: {enabled: false}
      tftp: {enabled: false}
      dns: {enabled: false}
      networks:
        - name: admin
          id: 4
          cidr: 10.40.0.0/20
          staticRange: 10.40.0.10-10.40.11.255
          dhcpPool: 10.40.12.0-10.40.15.250
          domain: big.test
          serverAddress: 10.40.0.1
      """;

    @TempDir
    Path tmp;

    static String prefix(DaemonProcess d) throws Exception {
        return d.api().get("/api/v1/networks/admin").json().get("ipv6Prefix").asText();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void ulaGlobalIdIsStableAcrossRestartsAndDiffersBetweenInstallations() throws Exception {
        int port = freePort();
        String first;
        try (DaemonProcess d = DaemonProcess.start(tmp.resolve("a"), "127.0.0.1:" + port)) {
            first = prefix(d);
            assertTrue(first.startsWith("fd"), first);
            assertTrue(first.endsWith(":1::/64"), first);
            // Clients connected at the stop: a keep-alive connection after its answer and a request half sent,
            // on both listeners. Their pipelines used to be taken down after the loops stopped (a stack trace).
            List<java.net.Socket> open = new ArrayList<>();
            for (java.net.URI u : List.of(d.base(), d.bootBase())) {
                java.net.Socket done = new java.net.Socket(u.getHost(), u.getPort());
                done.getOutputStream()
                        .write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(new String(done.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)
                        .startsWith("HTTP/1.1 200"));
                java.net.Socket half = new java.net.Socket(u.getHost(), u.getPort());
                half.getOutputStream().write("GET /api/v1/nod".getBytes(StandardCharsets.US_ASCII));
                open.add(done);
                open.add(half);
            }
            int code = d.stop();
            for (java.net.Socket s : open) {
                s.close();
            }
            assertTrue(code == 0 || code == 143, "clean exit on SIGTERM, got " + code);
            String log = d.log();
            assertTrue(log.contains("anvild stopped"), log);
            assertTrue(!log.contains("Exception") && !log.contains(" WARN ") && !log.contains(" ERROR "), log);
        }
        // Same port right after the stop: the listener released it.
        try (DaemonProcess d = DaemonProcess.start(tmp.resolve("a"), "127.0.0.1:" + port)) {
            assertEquals(port, d.bootBase().getPort());
            assertEquals(first, prefix(d));
        }
        try (DaemonProcess other = DaemonProcess.start(tmp.resolve("b"), "127.0.0.1:0")) {
            assertNotEquals(first, prefix(other));
        }
    }

    @Test
    void thousandConcurrentCreatesGetDistinctAddresses() throws Exception {
        Path cfg = tmp.resolve("big.yaml");
        Files.writeString(cfg, BIG_CONFIG);
        try (DaemonProcess d = DaemonProcess.start(tmp.resolve("s"), "127.0.0.1:0", "--config", cfg.toString())) {
            Map<String, String> acked = createConcurrently(d.api(), 8, 125, new AtomicBoolean());
            assertEquals(1000, acked.size());
            assertEquals(1000, new HashSet<>(acked.values()).size(), "every address distinct");
            JsonNode all = d.api().get("/api/v1/nodes").json();
            assertEquals(1000, all.size());
            assertEquals(
                    1000,
                    d.api().get("/api/v1/status").json().at("/nodes/total").asLong());
        }
    }

    @Test
    void killDashNineLosesNoAcknowledgedNode() throws Exception {
        Path cfg = tmp.resolve("big.yaml");
        Files.writeString(cfg, BIG_CONFIG);
        Path state = tmp.resolve("k");
        Map<String, String> acked;
        try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService killer = Executors.newSingleThreadExecutor();
            Http http = d.api();
            Future<?> k = killer.submit(() -> {
                while (http.get("/api/v1/status").json().at("/nodes/total").asInt() < 300) {
                    Thread.sleep(20);
                }
                stop.set(true);
                d.kill();
                return null;
            });
            acked = createConcurrently(http, 8, 1000, stop);
            k.get(120, TimeUnit.SECONDS);
            killer.shutdownNow();
        }
        // The kill lands once 300 nodes are committed; a few of those may not have been answered yet.
        assertTrue(acked.size() >= 250, "acked " + acked.size());
        try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
            Map<String, String> stored = new HashMap<>();
            for (JsonNode n : d.api().get("/api/v1/nodes").json()) {
                stored.put(n.get("name").asText(), n.at("/addresses/0/ipv4").asText());
            }
            for (Map.Entry<String, String> e : acked.entrySet()) {
                assertEquals(e.getValue(), stored.get(e.getKey()), "acknowledged node " + e.getKey() + " survived");
            }
            assertEquals(stored.size(), new HashSet<>(stored.values()).size());
        }
    }

    /** Creates nodes from several threads until done or told to stop; returns name -> IPv4 for every 201. */
    static Map<String, String> createConcurrently(Http http, int threads, int perThread, AtomicBoolean stop)
            throws Exception {
        Map<String, String> acked = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < perThread && !stop.get(); i++) {
                        String name = "n" + tt + "-" + i + ".big.test";
                        String mac = String.format("52:54:01:%02x:%02x:%02x", tt, i >> 8, i & 0xff);
                        Http.Reply r;
                        try {
                            r = http.post("/api/v1/nodes", "{\"name\":\"" + name + "\",\"macs\":[\"" + mac + "\"]}");
                        } catch (Exception e) {
                            if (stop.get()) {
                                return null;
                            }
                            throw e;
                        }
                        if (r.status() != 201) {
                            throw new AssertionError("create " + name + ": " + r.status() + " " + r.body());
                        }
                        acked.put(name, r.json().at("/addresses/0/ipv4").asText());
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(300, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return acked;
    }

    @Test
    void checkConfigExitsZeroOrTwoWithTheFieldNamed() throws Exception {
        Path good = tmp.resolve("good.yaml");
        Files.writeString(good, BIG_CONFIG);
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, BIG_CONFIG.replace("10.40.0.0/20", "10.40.0.0/33"));
        Process ok = new ProcessBuilder(DaemonProcess.launcher().toString(), "--check-config", good.toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(ok.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, ok.exitValue(), new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        Process no = new ProcessBuilder(DaemonProcess.launcher().toString(), "--check-config", bad.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(no.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(no.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, no.exitValue(), out);
        assertTrue(out.contains("networks[0].cidr: 10.40.0.0/33 is not a valid IPv4 CIDR"), out);
        Process unknown = new ProcessBuilder(DaemonProcess.launcher().toString(), "--frobnicate")
                .redirectErrorStream(true)
                .start();
        assertTrue(unknown.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, unknown.exitValue());
    }

    @Test
    void portInUseFailsWithAClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            for (String which : List.of("http", "api")) {
                Process p = new ProcessBuilder(
                                DaemonProcess.launcher().toString(),
                                "--state-dir",
                                tmp.resolve("p").toString(),
                                "--http-listen",
                                which.equals("http") ? "127.0.0.1:" + taken.getLocalPort() : "127.0.0.1:" + freePort(),
                                "--api-listen",
                                which.equals("api") ? "127.0.0.1:" + taken.getLocalPort() : "127.0.0.1:0")
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(1, p.exitValue(), out);
                assertTrue(out.contains("cannot listen for " + which + " on 127.0.0.1:" + taken.getLocalPort()), out);
            }
        }
    }
}
