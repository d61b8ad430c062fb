package dev.anvil.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A small JSON client for tests (java.net.http), plus curl as the real command-line client. */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Shared by the copies {@link #withToken} and {@link #from} make: each client keeps its idle keep-alive
     * connections open until it is collected, and the daemon caps connections per client address (64 on the admin
     * API), so a test that made a client per request would soon find its next connection refused.
     */
    private final HttpClient client;

    private final URI base;
    private final String token;
    private final String source;

    /** A client without credentials. */
    public Http(URI base) {
        this(base, null, null);
    }

    /** A client that sends {@code Authorization: Bearer token} (none when null). */
    public Http(URI base, String token) {
        this(base, token, null);
    }

    private Http(URI base, String token, String source) {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), base, token, source);
    }

    private Http(HttpClient client, URI base, String token, String source) {
        this.client = client;
        this.base = base;
        this.token = token;
        this.source = source;
    }

    /** The same server with another token (null: none). */
    public Http withToken(String other) {
        return new Http(client, base, other, source);
    }

    /** The same server, asked from another local address such as 127.0.1.5 (through curl --interface). */
    public Http from(String localAddress) {
        return new Http(client, base, token, localAddress);
    }

    public record Reply(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    public Reply send(String method, String path, String body) throws IOException, InterruptedException {
        if (source != null) {
            List<String> args = new ArrayList<>(List.of("--interface", source, "-X", method));
            if (method.equals("HEAD")) {
                args.set(args.size() - 2, "-I");
                args.remove(args.size() - 1);
            }
            if (body != null) {
                args.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
            }
            if (token != null) {
                args.addAll(List.of("-H", "Authorization: Bearer " + token));
            }
            args.add(base.resolve(path).toString());
            return curl(args.toArray(new String[0]));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null || !(method.equals("GET") || method.equals("HEAD") || method.equals("DELETE"))) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r.headers());
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    public Reply post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body);
    }

    /** Runs curl; returns the status code and body it printed. */
    public static Reply curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("curl " + args[args.length - 1] + " failed: " + out);
        }
        int nl = out.lastIndexOf('\n');
        return new Reply(Integer.parseInt(out.substring(nl + 1).trim()), out.substring(0, nl), null);
    }
}
