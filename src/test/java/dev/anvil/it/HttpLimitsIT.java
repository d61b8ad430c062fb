package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits of both HTTP listeners against real clients on loopback: a slowloris client, too many connections
 * from one address, over-long request lines and headers, an over-big API body, an idle keep-alive connection and a
 * client that stops reading. Short timeouts (2 s) keep it quick; each test uses its own client address
 * (127.0.0.x) so that the per-client counts of one do not touch another.
 */
class HttpLimitsIT {
    static final int TIMEOUT_SECONDS = 2;
    static final int PER_CLIENT = 6;
    static final int TOTAL = 12;
    static final String FILE = "/install/os-1/small.txt";
    static final String BIG = "/install/os-1/big.iso";

    @TempDir
    static Path tmp;

    static DaemonProcess daemon;
    static InetSocketAddress boot;
    static InetSocketAddress api;

    @BeforeAll
    static void start() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("install/os-1"));
        Files.writeString(tree.resolve("small.txt"), "a small file\n");
        try (RandomAccessFile big = new RandomAccessFile(tree.resolve("big.iso").toFile(), "rw")) {
            big.setLength(1L << 30); // sparse
        }
        String limits =
                "{idleTimeoutSeconds: %d, headerTimeoutSeconds: %d, bodyTimeoutSeconds: %d, sendTimeoutSeconds: %d,"
                                .formatted(TIMEOUT_SECONDS, TIMEOUT_SECONDS, TIMEOUT_SECONDS, TIMEOUT_SECONDS)
                        + " maxConnections: " + TOTAL + ", maxConnectionsPerClient: " + PER_CLIENT
                        + ", maxRequestLineBytes: 1024,"
                        + " maxHeaderBytes: 2048, maxBodyBytes: 2048}";
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "http: {installRoot: \"" + tmp.resolve("install") + "\",\n"
                        + "  limits: " + limits + "}\n"
                        + "api: {limits: {maxRequestLineBytes: 1024, maxHeaderBytes: 2048, maxBodyBytes: 2048}}\n"
                        + "dhcp: {enabled: false}\ndns: {enabled: false}\ntftp: {enabled: false}\n"
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, domain: cluster.test,\n"
                        + "     serverAddress: 10.10.0.1}\n");
        daemon = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString());
        boot = new InetSocketAddress("127.0.0.1", daemon.bootBase().getPort());
        api = new InetSocketAddress("127.0.0.1", daemon.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    /**
     * {@code services.<listener>.metrics.limits.<counter>} from /api/v1/status, asked with curl (which closes its
     * connection, where each java.net.http client would keep one open).
     */
    static long counter(String listener, String name) throws Exception {
        JsonNode s = Http.curl(
                        daemon.auth()[0],
                        daemon.auth()[1],
                        daemon.uri("/api/v1/status").toString())
                .json();
        JsonNode n =
                s.path("services").path(listener).path("metrics").path("limits").path(name);
        assertTrue(n.isNumber(), listener + " has no limits counter " + name + ": " + s);
        return n.asLong();
    }

    /** Waits up to 10 s for a counter to reach {@code atLeast}. */
    static void awaitCounter(String listener, String name, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter(listener, name) < atLeast) {
            assertTrue(System.nanoTime() < deadline, listener + " " + name + " stayed below " + atLeast);
            Thread.sleep(100);
        }
    }

    static Socket connect(String from, InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(to, 5000);
        return s;
    }

    /** Everything the server sends until it closes (or resets) the connection; fails after {@code seconds}. */
    static String readToEnd(Socket s, int seconds) throws IOException {
        s.setSoTimeout(seconds * 1000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketException e) {
            // a reset after what was read: the end too
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    static String get(InetSocketAddress to, String path) {
        return "http://127.0.0.1:" + to.getPort() + path;
    }

    @Test
    void slowlorisIsCutAfterTheHeaderTimeoutWith408WhileCurlStillGetsFiles() throws Exception {
        long before = counter("http", "headerTimeouts");
        try (Socket s = connect("127.0.0.11", boot)) {
            byte[] head = ("GET " + FILE + " HTTP/1.1\r\nHost: anvil\r\nX-Slow: " + "z".repeat(100) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            long t0 = System.nanoTime();
            CompletableFuture<Void> dribble = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (byte b : head) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(1000);
                    }
                } catch (IOException | InterruptedException e) {
                    // cut by the server: expected
                }
            });
            // meanwhile a normal client is served
            Http.Reply r = Http.curl("--interface", "127.0.0.12", get(boot, FILE));
            assertEquals(200, r.status());
            assertEquals("a small file\n", r.body());
            String answer = readToEnd(s, 15);
            double took = (System.nanoTime() - t0) / 1e9;
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            assertTrue(answer.contains("connection: close"), answer);
            assertTrue(took >= TIMEOUT_SECONDS - 0.2 && took < TIMEOUT_SECONDS + 3, "cut after " + took + " s");
            dribble.cancel(true);
        }
        assertEquals(before + 1, counter("http", "headerTimeouts"));
    }

    @Test
    void moreThanMaxConnectionsPerClientFromOneAddressAreRefusedWhileAnotherAddressConnects() throws Exception {
        long before = counter("http", "refusedPerClient");
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < PER_CLIENT; i++) {
                held.add(connect("127.0.0.21", boot));
            }
            try (Socket extra = connect("127.0.0.21", boot)) {
                extra.getOutputStream()
                        .write(("GET " + FILE + " HTTP/1.1\r\nHost: anvil\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                assertEquals("", readToEnd(extra, 5), "the connection over the cap is closed without an answer");
            } catch (SocketException e) {
                // reset while writing: refused too
            }
            // the ones held are still open: a read waits
            held.get(0).setSoTimeout(200);
            assertThrows(
                    SocketTimeoutException.class,
                    () -> held.get(0).getInputStream().read());
            Http.Reply other = Http.curl("--interface", "127.0.0.2", get(boot, FILE));
            assertEquals(200, other.status(), "another address still connects");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertEquals(before + 1, counter("http", "refusedPerClient"));
        // closing releases the address's slots: it is served again
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                assertEquals(
                        200,
                        Http.curl("--interface", "127.0.0.21", get(boot, FILE)).status());
                break;
            } catch (AssertionError e) {
                assertTrue(System.nanoTime() < deadline, e.getMessage());
                Thread.sleep(100);
            }
        }
    }

    /** Waits up to 10 s until the boot listener holds no connection and no client address. */
    static void awaitNoConnections() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter("http", "connections") != 0 || counter("http", "clients") != 0) {
            assertTrue(System.nanoTime() < deadline, "connections stay open on the boot listener");
            Thread.sleep(100);
        }
    }

    @Test
    void moreThanMaxConnectionsOverallAreRefusedAndEveryClosedOneIsReleased() throws Exception {
        awaitNoConnections();
        long before = counter("http", "refusedConnections");
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < TOTAL; i++) {
                held.add(connect(i % 2 == 0 ? "127.0.0.91" : "127.0.0.92", boot));
            }
            try (Socket extra = connect("127.0.0.93", boot)) {
                assertEquals("", readToEnd(extra, 5), "the connection over the cap is closed without an answer");
            }
            assertEquals(TOTAL, counter("http", "connections"));
            assertEquals(2, counter("http", "clients"));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertEquals(before + 1, counter("http", "refusedConnections"));
        awaitNoConnections();
        assertEquals(
                200, Http.curl("--interface", "127.0.0.93", get(boot, FILE)).status());
    }

    @Test
    void anOverLongRequestLineIs414AndOverBigHeadersAre431OnBothListeners() throws Exception {
        long line = counter("http", "requestLineTooLong");
        long headers = counter("http", "headersTooLarge");
        long apiLine = counter("api", "requestLineTooLong");
        Http.Reply r = Http.curl("--interface", "127.0.0.31", get(boot, "/install/os-1/" + "a".repeat(2000)));
        assertEquals(414, r.status());
        assertTrue(r.body().contains("request line longer than 1024 bytes"), r.body());
        r = Http.curl("--interface", "127.0.0.31", "-H", "X-Big: " + "b".repeat(3000), get(boot, FILE));
        assertEquals(431, r.status());
        assertTrue(r.body().contains("request headers larger than 2048 bytes"), r.body());
        assertEquals(
                200, Http.curl("--interface", "127.0.0.31", get(boot, FILE)).status());
        assertEquals(
                414,
                Http.curl(
                                "--interface",
                                "127.0.0.31",
                                daemon.auth()[0],
                                daemon.auth()[1],
                                get(api, "/api/v1/nodes?x=" + "a".repeat(2000)))
                        .status());
        assertEquals(line + 1, counter("http", "requestLineTooLong"));
        assertEquals(headers + 1, counter("http", "headersTooLarge"));
        assertEquals(apiLine + 1, counter("api", "requestLineTooLong"));
    }

    @Test
    void aBodyThatStopsArrivingGets408AfterTheBodyTimeout() throws Exception {
        long before = counter("http", "bodyTimeouts");
        try (Socket s = connect("127.0.0.71", boot)) {
            s.getOutputStream()
                    .write(("POST /api/v1/discover HTTP/1.1\r\nHost: anvil\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 100\r\n\r\n{\"mac\":")
                            .getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            String answer = readToEnd(s, 15);
            double took = (System.nanoTime() - t0) / 1e9;
            assertTrue(
                    answer.startsWith("HTTP/1.1 408 ") && answer.contains("the request body stopped arriving"), answer);
            assertTrue(took >= TIMEOUT_SECONDS - 0.2 && took < TIMEOUT_SECONDS + 3, "cut after " + took + " s");
        }
        assertEquals(before + 1, counter("http", "bodyTimeouts"));
    }

    @Test
    void aRequestThatCannotBeDecodedIs400AndClosed() throws Exception {
        long before = counter("http", "malformed");
        try (Socket s = connect("127.0.0.81", boot)) {
            s.getOutputStream().write("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = readToEnd(s, 15);
            assertTrue(
                    answer.startsWith("HTTP/1.1 400 ")
                            && answer.contains("connection: close")
                            && answer.endsWith("{\"error\":\"malformed HTTP request\",\"field\":null}"),
                    answer);
        }
        assertEquals(before + 1, counter("http", "malformed"));
    }

    @Test
    void anOverBigApiBodyIs413() throws Exception {
        long before = counter("api", "bodyTooLarge");
        String body =
                "{\"name\":\"n1.cluster.test\",\"macs\":[\"52:54:00:00:00:01\"],\"pad\":\"" + "x".repeat(4000) + "\"}";
        Http.Reply r = Http.curl(
                "--interface",
                "127.0.0.41",
                daemon.auth()[0],
                daemon.auth()[1],
                "-H",
                "Content-Type: application/json",
                "-H",
                "Expect:",
                "--data-binary",
                body,
                get(api, "/api/v1/nodes"));
        assertEquals(413, r.status());
        assertTrue(r.body().contains("request body exceeds 2048 bytes"), r.body());
        assertEquals(before + 1, counter("api", "bodyTooLarge"));
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        long before = counter("http", "idleTimeouts");
        try (Socket s = connect("127.0.0.51", boot)) {
            s.getOutputStream()
                    .write(("GET " + FILE + " HTTP/1.1\r\nHost: anvil\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            String all = readToEnd(s, 15);
            double took = (System.nanoTime() - t0) / 1e9;
            assertTrue(all.startsWith("HTTP/1.1 200 OK") && all.endsWith("a small file\n"), all);
            assertTrue(!all.contains("connection: close"), "a keep-alive answer: " + all);
            assertTrue(took >= TIMEOUT_SECONDS - 0.2 && took < TIMEOUT_SECONDS + 3, "closed after " + took + " s");
        }
        assertEquals(before + 1, counter("http", "idleTimeouts"));
    }

    @Test
    void aClientThatStopsReadingIsCutAfterTheSendTimeout() throws Exception {
        long before = counter("http", "sendTimeouts");
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.61"), 0));
            s.connect(boot, 5000);
            s.getOutputStream()
                    .write(("GET " + BIG + " HTTP/1.1\r\nHost: anvil\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // read nothing: the server's writes stall, and after sendTimeout (at most twice that) it gives up
            awaitCounter("http", "sendTimeouts", before + 1);
            s.setSoTimeout(10_000);
            long total = 0;
            byte[] buf = new byte[1 << 16];
            try {
                for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
                    total += n;
                }
            } catch (SocketException e) {
                // reset: the end too
            }
            assertTrue(total < (1L << 30), "the connection ended early, after " + total + " bytes");
        }
        assertEquals(before + 1, counter("http", "sendTimeouts"));
    }

    @Test
    void statusShowsEveryLimitCounterForBothListeners() throws Exception {
        for (String listener : List.of("http", "api")) {
            for (String c : List.of(
                    "connections",
                    "clients",
                    "refusedConnections",
                    "refusedPerClient",
                    "headerTimeouts",
                    "bodyTimeouts",
                    "sendTimeouts",
                    "idleTimeouts",
                    "requestLineTooLong",
                    "headersTooLarge",
                    "bodyTooLarge",
                    "malformed")) {
                counter(listener, c);
            }
        }
    }
}
