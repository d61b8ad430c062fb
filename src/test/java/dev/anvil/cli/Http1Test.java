package dev.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The CLI's HTTP/1.1 client: requests byte for byte, answers by length, chunked and to the close, hostile ones. */
class Http1Test {
    static Http1.Response read(String wire) throws IOException {
        return Http1.read(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)), false);
    }

    @Test
    void aRequestHeadNamesTheHostThePathAndTheBodyLength() {
        assertEquals(
                "PATCH /api/v1/nodes/n1?x=a%20b HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n"
                        + "Accept: application/json\r\nAuthorization: Bearer t\r\nContent-Length: 3\r\n\r\n",
                Http1.head(
                        "PATCH",
                        URI.create("http://127.0.0.1:8080/api/v1/nodes/n1?x=a%20b"),
                        "127.0.0.1",
                        8080,
                        false,
                        Map.of("Authorization", "Bearer t"),
                        new byte[3]));
        assertEquals(
                "GET / HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\nAccept: application/json\r\n\r\n",
                Http1.head("GET", URI.create("https://[::1]"), "[::1]", 443, true, Map.of(), null),
                "the default port is not spelled; a GET has no length");
        assertTrue(Http1.head("POST", URI.create("http://h/x"), "h", 80, false, Map.of(), null)
                .contains("Content-Length: 0\r\n"));
    }

    @Test
    void answersByLengthChunkedAndToTheClose() throws IOException {
        Http1.Response byLength = read(
                "HTTP/1.1 201 Created\r\nLocation: /api/v1/nodes/7\r\n" + "Content-Length: 6\r\n\r\n{\"a\":1}trailing");
        assertEquals(201, byLength.status());
        assertEquals("{\"a\":1", byLength.body(), "exactly Content-Length bytes");
        assertEquals(Optional.of("/api/v1/nodes/7"), byLength.header("LOCATION"));

        Http1.Response chunked = read("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                + "5;ext=1\r\n{\"é\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: y\r\n\r\n");
        assertEquals("{\"é\":1}", chunked.body(), "chunk sizes count bytes, not characters");

        assertEquals(
                "to the end", read("HTTP/1.0 200 OK\nServer: x\n\nto the end").body(), "bare LF lines too");
        assertEquals(
                "",
                read("HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n").body());
        assertEquals(
                200,
                read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                        .status(),
                "an interim answer is skipped");
    }

    @Test
    void whatIsNotAnHttpAnswerIsAClearErrorNeverAHangOrAHugeBuffer() {
        for (String bad : new String[] {
            "",
            "SSH-2.0-OpenSSH_9.2\r\n",
            "HTTP/1.1 2x0 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffff\r\n",
            "HTTP/1.1 200 OK\r\nX: " + "a".repeat(Http1.MAX_HEAD) + "\r\n\r\n",
        }) {
            assertThrows(Http1.BadResponse.class, () -> read(bad), bad.length() > 60 ? bad.substring(0, 60) : bad);
        }
    }

    @Test
    void aRealExchangeAndItsFailures() throws Exception {
        Http1 client = new Http1(Optional.empty(), Duration.ofSeconds(5), Duration.ofMillis(300));
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/api/v1/status");
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    byte[] req = new byte[4096];
                    int n = s.getInputStream().read(req);
                    s.getOutputStream()
                            .write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.UTF_8));
                    return new String(req, 0, n, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Http1.Response r = client.exchange("GET", uri, Map.of(), null);
            assertEquals(200, r.status());
            assertEquals("{}", r.body());
            assertTrue(seen.get(5, TimeUnit.SECONDS).startsWith("GET /api/v1/status HTTP/1.1\r\n"));

            CompletableFuture<Void> silent = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    Thread.sleep(1_000); // accepts, never answers
                } catch (IOException | InterruptedException e) {
                    // the client gave up first
                }
            });
            assertThrows(Http1.ReadTimeout.class, () -> client.exchange("GET", uri, Map.of(), null));
            silent.get(5, TimeUnit.SECONDS);
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        URI nobody = URI.create("http://127.0.0.1:" + closed + "/");
        assertThrows(ConnectException.class, () -> client.exchange("GET", nobody, Map.of(), null));
    }
}
