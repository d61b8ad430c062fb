package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} on the real daemon: traffic from real clients (Kea's perfdhcp as a relay on loopback, dig,
 * tftp-hpa, curl), then a scrape by curl, parsed by the Prometheus project's own text-format parser (Debian's
 * {@code python3-prometheus-client}, {@code text_string_to_metric_families}); each counter must have moved by what
 * the test sent. And the endpoint is behind the admin token: 401 without one, 200 with a read-only one.
 */
class MetricsIT {
    /** Debian's interpreter: the parser is Debian's package, not whatever a python3 earlier in PATH has. */
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    static final String PARSER = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {"types": {}, "samples": []}
            with open(sys.argv[1], encoding="utf-8") as f:
                for fam in text_string_to_metric_families(f.read()):
                    out["types"][fam.name] = fam.type
                    for s in fam.samples:
                        out["samples"].append({"name": s.name, "labels": s.labels, "value": s.value})
            print(json.dumps(out))
            """;

    @TempDir
    static Path tmp;

    static DaemonProcess daemon;
    static int dhcpPort;
    static int dnsPort;
    static int tftpPort;
    static Path root;

    @BeforeAll
    static void start() throws Exception {
        dhcpPort = DhcpLoadIT.freeUdpPort();
        dnsPort = DnsIT.freePort();
        tftpPort = DhcpLoadIT.freeUdpPort();
        root = Files.createDirectories(tmp.resolve("tftp"));
        Files.writeString(tmp.resolve("parse.py"), PARSER);
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "dhcp: {listen: \"127.0.0.2:" + dhcpPort + "\"}\n"
                        + "dns: {listen: \"127.0.0.1:" + dnsPort + "\"}\n"
                        + "tftp: {listen: \"127.0.0.1:" + tftpPort + "\", root: \"" + root + "\"}\n"
                        + "lifecycle: {aliveIntervalSeconds: 0}\n"
                        + "networks:\n"
                        + "  - {name: lo, id: 7, cidr: 127.0.0.0/8, staticRange: 127.0.0.10-127.0.0.99,\n"
                        + "     dhcpPool: 127.1.0.0-127.1.0.255, domain: lo.test, serverAddress: 127.0.0.2}\n");
        daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** One scrape, as the parser read it: samples by name and labels, and each family's type. */
    record Scrape(Map<String, Double> samples, Map<String, String> types) {
        double get(String name, String... labels) {
            Double v = samples.get(key(name, labels));
            if (v == null) {
                throw new AssertionError("no sample " + key(name, labels) + " in " + samples.keySet());
            }
            return v;
        }

        /** The sample, or 0 when absent (a label set that has not appeared yet). */
        double getOr0(String name, String... labels) {
            return samples.getOrDefault(key(name, labels), 0.0);
        }

        static String key(String name, String... labels) {
            Map<String, String> m = new TreeMap<>();
            for (int i = 0; i + 1 < labels.length; i += 2) {
                m.put(labels[i], labels[i + 1]);
            }
            return name + m;
        }
    }

    static Scrape scrape(String... curlAuth) throws Exception {
        Path out = tmp.resolve("metrics.txt");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--fail", "-o", out.toString()));
        cmd.addAll(List.of(curlAuth));
        cmd.add(daemon.uri("/metrics").toString());
        Netns.Result c = Netns.exec(cmd, 30);
        assertEquals(0, c.code(), "curl /metrics: " + c.output());
        Netns.Result p = Netns.exec(List.of(PYTHON, tmp.resolve("parse.py").toString(), out.toString()), 60);
        assertEquals(0, p.code(), "the Prometheus parser refused the scrape: " + p.output());
        JsonNode parsed = Http.JSON.readTree(p.output());
        Map<String, Double> samples = new HashMap<>();
        for (JsonNode s : parsed.get("samples")) {
            List<String> labels = new ArrayList<>();
            s.get("labels").fields().forEachRemaining(e -> {
                labels.add(e.getKey());
                labels.add(e.getValue().asText());
            });
            samples.put(
                    Scrape.key(s.get("name").asText(), labels.toArray(new String[0])),
                    s.get("value").asDouble());
        }
        Map<String, String> types = new HashMap<>();
        parsed.get("types")
                .fields()
                .forEachRemaining(e -> types.put(e.getKey(), e.getValue().asText()));
        return new Scrape(samples, types);
    }

    static Scrape scrape() throws Exception {
        return scrape(daemon.auth());
    }

    /** Scrapes until {@code ok} holds (a histogram is recorded once the last byte left: a moment after the client). */
    static Scrape scrapeUntil(Predicate<Scrape> ok) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Scrape s = scrape();
        while (!ok.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = scrape();
        }
        return s;
    }

    static Netns.Result run(String... cmd) throws Exception {
        Netns.Result r = Netns.exec(List.of(cmd), 120);
        assertEquals(0, r.code(), String.join(" ", cmd) + ": " + r.output());
        return r;
    }

    @Test
    void dhcpExchangesMoveTheCountersTheHistogramAndThePoolGauges() throws Exception {
        Scrape before = scrape();
        assertEquals(256, before.get("anvil_dhcp_pool_size", "network", "lo"));
        // perfdhcp as a relay on 127.0.0.1 (the daemon listens on 127.0.0.2): 10 clients through DISCOVER, OFFER,
        // REQUEST, ACK.
        Netns.Result r = run(
                "perfdhcp",
                "-4",
                "-l",
                "127.0.0.1",
                "-L",
                Integer.toString(dhcpPort),
                "-N",
                Integer.toString(dhcpPort),
                "-r",
                "10",
                "-R",
                "10",
                "-n",
                "10",
                "-W",
                "3000000",
                "127.0.0.2");
        assertEquals(
                2,
                r.output().split("received packets: 10\n", -1).length - 1,
                "DISCOVER-OFFER, REQUEST-ACK: " + r.output());
        Scrape after = scrapeUntil(s -> s.getOr0("anvil_dhcp_reply_seconds_count", "type", "ack")
                >= before.getOr0("anvil_dhcp_reply_seconds_count", "type", "ack") + 10);
        assertEquals(
                20, after.get("anvil_dhcp_packets_received_total") - before.get("anvil_dhcp_packets_received_total"));
        assertEquals(10, delta(before, after, "anvil_dhcp_requests_total", "type", "discover"));
        assertEquals(10, delta(before, after, "anvil_dhcp_requests_total", "type", "request"));
        assertEquals(10, delta(before, after, "anvil_dhcp_replies_total", "type", "offer"));
        assertEquals(10, delta(before, after, "anvil_dhcp_replies_total", "type", "ack"));
        assertEquals(0, delta(before, after, "anvil_dhcp_dropped_total", "reason", "malformed"));
        assertEquals(10, delta(before, after, "anvil_dhcp_reply_seconds_count", "type", "offer"));
        assertEquals(10, delta(before, after, "anvil_dhcp_reply_seconds_count", "type", "ack"));
        assertEquals(
                10,
                delta(before, after, "anvil_dhcp_reply_seconds_bucket", "type", "ack", "le", "+Inf"),
                "a histogram's +Inf bucket is its count");
        assertTrue(after.get("anvil_dhcp_reply_seconds_sum", "type", "ack") > 0);
        assertEquals("histogram", after.types().get("anvil_dhcp_reply_seconds"));
        assertEquals("counter", after.types().get("anvil_dhcp_replies"));
        assertEquals(10, after.get("anvil_dhcp_pool_used", "network", "lo"));
        assertEquals(10, after.get("anvil_dhcp_leases", "network", "lo", "state", "active"));
        assertTrue(delta(before, after, "anvil_dhcp_journal_syncs_total") >= 1);
        // A packet that is no DHCP at all: a counted drop, reason malformed.
        run(
                PYTHON,
                "-c",
                "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'junk', ('127.0.0.2', "
                        + dhcpPort + "))");
        Scrape junk = scrapeUntil(s -> s.getOr0("anvil_dhcp_dropped_total", "reason", "malformed")
                > after.getOr0("anvil_dhcp_dropped_total", "reason", "malformed"));
        assertEquals(1, delta(after, junk, "anvil_dhcp_dropped_total", "reason", "malformed"));
    }

    @Test
    void dnsQueriesMoveTheCountersAndTheAnswerHistogram() throws Exception {
        Http.Reply created = daemon.api()
                .post(
                        "/api/v1/nodes",
                        "{\"name\":\"m1.lo.test\",\"macs\":[\"52:54:00:00:77:01\"],\"addresses\":{\"lo\":\"127.0.0.42\"}}");
        assertEquals(201, created.status(), created.body());
        Scrape before = scrape();
        for (int i = 0; i < 3; i++) {
            assertEquals("127.0.0.42", dig("m1.lo.test", "A", "+short").trim());
        }
        assertTrue(dig("nope.lo.test", "A").contains("status: NXDOMAIN"));
        assertTrue(dig("m1.lo.test", "A", "+tcp").contains("127.0.0.42"));
        Scrape after = scrape();
        assertEquals(4, delta(before, after, "anvil_dns_queries_total", "transport", "udp"));
        assertEquals(1, delta(before, after, "anvil_dns_queries_total", "transport", "tcp"));
        assertEquals(4, delta(before, after, "anvil_dns_responses_total", "rcode", "noerror"));
        assertEquals(1, delta(before, after, "anvil_dns_responses_total", "rcode", "nxdomain"));
        assertEquals(4, delta(before, after, "anvil_dns_answer_seconds_count", "transport", "udp"));
        assertEquals(1, delta(before, after, "anvil_dns_answer_seconds_count", "transport", "tcp"));
        assertEquals(4, delta(before, after, "anvil_dns_answer_seconds_bucket", "transport", "udp", "le", "+Inf"));
        assertEquals("histogram", after.types().get("anvil_dns_answer_seconds"));
        assertTrue(after.get("anvil_dns_zone_serial") > 0);
    }

    static String dig(String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(dnsPort), "+time=3", "+tries=1"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(new String[0])).output();
    }

    @Test
    void tftpAndHttpTransfersMoveTheCountersAndHistograms() throws Exception {
        byte[] file = new byte[100_000];
        new java.util.Random(7).nextBytes(file);
        Files.write(root.resolve("stage2.bin"), file);
        Scrape before = scrape();
        Path got = tmp.resolve("got.bin");
        run("tftp", "-m", "binary", "127.0.0.1", Integer.toString(tftpPort), "-c", "get", "stage2.bin", got.toString());
        assertEquals(file.length, Files.size(got));
        for (int i = 0; i < 2; i++) {
            run(
                    "curl",
                    "-sS",
                    "--fail",
                    "-o",
                    got.toString(),
                    daemon.bootUri("/boot/stage2.bin").toString());
            assertEquals(file.length, Files.size(got));
        }
        Scrape after = scrapeUntil(s -> s.getOr0("anvil_tftp_transfer_seconds_count", "result", "completed")
                        > before.getOr0("anvil_tftp_transfer_seconds_count", "result", "completed")
                && s.getOr0("anvil_http_file_response_seconds_count", "status", "2xx")
                        >= before.getOr0("anvil_http_file_response_seconds_count", "status", "2xx") + 2);
        // TFTP: one read transfer, completed, all its bytes sent (a retransmission would only add).
        assertEquals(1, delta(before, after, "anvil_tftp_transfers_total", "direction", "read"));
        assertEquals(
                1,
                delta(before, after, "anvil_tftp_transfers_ended_total", "direction", "read", "result", "completed"));
        assertEquals(1, delta(before, after, "anvil_tftp_transfer_seconds_count", "result", "completed"));
        assertEquals(1, delta(before, after, "anvil_tftp_transfer_size_bytes_count", "result", "completed"));
        double tftpBytes = delta(before, after, "anvil_tftp_transfer_size_bytes_sum", "result", "completed");
        assertTrue(tftpBytes >= file.length, "sent " + tftpBytes);
        assertEquals(tftpBytes, delta(before, after, "anvil_tftp_sent_bytes_total"));
        assertEquals(
                1,
                delta(before, after, "anvil_tftp_transfer_size_bytes_bucket", "result", "completed", "le", "1048576.0"),
                "100,000 bytes fall in the 1 MiB bucket");
        assertEquals(
                0,
                delta(before, after, "anvil_tftp_transfer_size_bytes_bucket", "result", "completed", "le", "65536.0"),
                "and not in the 64 KiB one");
        assertEquals(0, after.get("anvil_tftp_transfers_active"));
        // HTTP: two whole 200s from the boot listener's /boot/ mount.
        assertEquals(2, delta(before, after, "anvil_http_file_requests_total"));
        assertEquals(2.0 * file.length, delta(before, after, "anvil_http_file_sent_bytes_total"));
        assertEquals(2, delta(before, after, "anvil_http_file_response_seconds_count", "status", "2xx"));
        assertEquals(
                2.0 * file.length, delta(before, after, "anvil_http_file_response_size_bytes_sum", "status", "2xx"));
    }

    @Test
    void inventoryTasksAndJvmMetricsAreThere() throws Exception {
        Http.Reply created =
                daemon.api().post("/api/v1/nodes", "{\"name\":\"m2.lo.test\",\"macs\":[\"52:54:00:00:77:02\"]}");
        assertEquals(201, created.status(), created.body());
        String state = created.json().get("state").asText();
        Scrape s = scrapeUntil(x -> x.getOr0("anvil_nodes", "state", state) >= 1);
        long expected = 0;
        for (JsonNode n : daemon.api().get("/api/v1/nodes").json()) {
            expected += n.get("state").asText().equals(state) ? 1 : 0;
        }
        assertEquals(expected, s.get("anvil_nodes", "state", state));
        assertEquals("gauge", s.types().get("anvil_nodes"));
        double oldest = s.get("anvil_node_state_oldest_seconds", "state", state);
        assertTrue(oldest >= 0 && oldest < 600, "just created: " + oldest);
        assertEquals(0, s.get("anvil_node_state_oldest_seconds", "state", "failed"));
        assertEquals(0, s.get("anvil_tasks", "state", "queued"));
        assertEquals(0, s.get("anvil_tasks_running"));
        assertTrue(s.samples().containsKey(Scrape.key("anvil_tasks_finished_total", "result", "failed")));
        assertTrue(s.samples().keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes{area=heap")));
        assertTrue(s.samples().keySet().stream().anyMatch(k -> k.startsWith("jvm_gc_")), "GC meters");
        assertTrue(s.get("jvm_threads_live_threads") > 0);
        assertTrue(s.get("process_uptime_seconds") > 0);
        assertTrue(s.samples().keySet().stream().anyMatch(k -> k.startsWith("jvm_classes_loaded_classes")));
        assertTrue(s.get("system_cpu_count") >= 1);
        assertTrue(s.get("anvil_http_connections", "listener", "api") >= 1, "this scrape's own connection");
    }

    @Test
    void withoutATokenMetricsIs401AndAReadOnlyTokenMayScrape() throws Exception {
        Scrape before = scrape();
        assertEquals("401 Bearer realm=\"anvil\"", status("%{http_code} %header{www-authenticate}"));
        assertEquals("401", status("%{http_code}", "-H", "Authorization: Bearer not-a-token"));
        Http.Reply token = daemon.api().post("/api/v1/tokens", "{\"name\":\"prometheus\",\"role\":\"read-only\"}");
        assertEquals(201, token.status(), token.body());
        Path credentials = tmp.resolve("prometheus-token");
        Files.writeString(credentials, token.json().get("token").asText());
        Scrape readOnly = scrape("-H", "Authorization: Bearer " + Files.readString(credentials));
        assertEquals(2, delta(before, readOnly, "anvil_api_refused_total", "reason", "unauthorized"));
    }

    /** curl's {@code -w} output for a GET of /metrics with {@code extra} arguments. */
    static String status(String format, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", format));
        cmd.addAll(List.of(extra));
        cmd.add(daemon.uri("/metrics").toString());
        return Netns.exec(cmd, 30).output().trim();
    }

    static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.get(name, labels) - before.getOr0(name, labels);
    }
}
