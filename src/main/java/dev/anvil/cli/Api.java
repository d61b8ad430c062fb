package dev.anvil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The admin API over one {@link HttpClient} (HTTP/1.1, kept for the whole run: one connection for every request
 * of a command). Every answer of 400 or more, and every failure to get one, becomes a {@link CliException} with
 * its exit code: 401/403 {@link CliException#AUTH}, other refusals {@link CliException#REFUSED} with the API's
 * {@code error} and {@code field}, no answer or one that is not the API's JSON {@link CliException#UNREACHABLE}.
 */
final class Api {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client;
    private final Settings settings;
    private final ObjectMapper json;

    Api(Settings settings, ObjectMapper json) {
        HttpClient.Builder b =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT);
        settings.caPem().ifPresent(pem -> b.sslContext(trusting(pem, settings.caSource())));
        this.client = b.build();
        this.settings = settings;
        this.json = json;
    }

    /**
     * A TLS context trusting exactly the PEM certificates in {@code pem} (one or a bundle), as curl's
     * {@code --cacert} does; the host name is still checked against the certificate's names.
     */
    static javax.net.ssl.SSLContext trusting(String pem, String source) {
        java.util.Collection<? extends java.security.cert.Certificate> certs;
        try {
            certs = java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificates(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.cert.CertificateException e) {
            certs = java.util.List.of();
        }
        if (certs.isEmpty()) {
            throw new CliException(
                    CliException.USAGE, source + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust store from " + source, e);
        }
    }

    /** An answer below 400: its status, body (empty for 204) and {@code Location} header. */
    record Reply(int status, String body, Optional<String> location) {}

    JsonNode get(String path) {
        return parse(send("GET", path, null).body());
    }

    /** POST with a JSON body (an object or record Jackson writes); returns the answer's JSON. */
    JsonNode post(String path, Object body) {
        return parse(send("POST", path, body).body());
    }

    JsonNode patch(String path, Object body) {
        return parse(send("PATCH", path, body).body());
    }

    void delete(String path) {
        send("DELETE", path, null);
    }

    /** Sends a request; the reply when its status is below 400, else the refusal as a {@link CliException}. */
    Reply send(String method, String path, Object body) {
        URI uri = URI.create(settings.url() + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(write(body), StandardCharsets.UTF_8));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        settings.token().ifPresent(t -> b.header("Authorization", "Bearer " + t));
        HttpResponse<String> r;
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (HttpTimeoutException e) {
            throw unreachable("no answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (ConnectException e) {
            throw unreachable("connection refused (is anvild running? is the URL its api.listen?)");
        } catch (SSLException e) {
            throw unreachable("TLS failed: " + e.getMessage() + " (certificates checked against "
                    + (settings.caPem().isPresent() ? settings.caSource() : "the JVM's trust store")
                    + "; give the server's with --cacert FILE)");
        } catch (IOException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.REFUSED, "interrupted");
        }
        if (r.statusCode() < 400) {
            return new Reply(r.statusCode(), r.body(), r.headers().firstValue("location"));
        }
        throw refusal(r.statusCode(), r.body());
    }

    /** The refusal an error answer means, with the API's message and field. */
    CliException refusal(int status, String body) {
        JsonNode error;
        try {
            error = json.readTree(body);
        } catch (JsonProcessingException e) {
            error = null;
        }
        if (error == null || !error.path("error").isTextual()) {
            String first = body.lines().findFirst().orElse("").strip();
            return unreachable("HTTP " + status + " that is not the Anvil API's JSON"
                    + (first.isEmpty() ? "" : ": " + (first.length() > 200 ? first.substring(0, 200) + "..." : first)));
        }
        String message = "HTTP " + status + ": " + error.path("error").asText()
                + (error.path("field").isTextual()
                        ? " (field: " + error.path("field").asText() + ")"
                        : "");
        if (status == 401 || status == 403) {
            if (settings.token().isEmpty()) {
                message += "; no token found: " + settings.tokenHint();
            } else if (status == 401) {
                message += " (the token from " + settings.tokenSource() + ")";
            }
            return new CliException(CliException.AUTH, message);
        }
        return new CliException(CliException.REFUSED, message);
    }

    /** A path segment (a node name, a MAC, an OS name), percent-encoded where it is not a plain name. */
    static String seg(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-._~:@".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private CliException unreachable(String why) {
        return new CliException(
                CliException.UNREACHABLE,
                "cannot reach anvild at " + settings.url() + " (from " + settings.urlSource() + "): " + why);
    }

    private JsonNode parse(String body) {
        if (body.isEmpty()) {
            return json.nullNode();
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw unreachable("an answer that is not JSON");
        }
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
