package dev.anvil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The admin API over {@link Http1} (HTTP/1.1, a connection per request). Every answer of 400 or more, and every
 * failure to get one, becomes a {@link CliException} with its exit code: 401/403 {@link CliException#AUTH},
 * other refusals {@link CliException#REFUSED} with the API's {@code error} and {@code field}, no answer or one
 * that is not the API's JSON {@link CliException#UNREACHABLE}.
 */
final class Api {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Http1 client;
    private final Settings settings;
    private final ObjectMapper json;

    Api(Settings settings, ObjectMapper json) {
        this.client = new Http1(
                settings.caPem().map(pem -> trusting(pem, settings.caSource())), CONNECT_TIMEOUT, REQUEST_TIMEOUT);
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
        Map<String, String> headers = new LinkedHashMap<>();
        settings.token().ifPresent(t -> headers.put("Authorization", "Bearer " + t));
        byte[] bytes = null;
        if (body != null) {
            headers.put("Content-Type", "application/json");
            bytes = write(body).getBytes(StandardCharsets.UTF_8);
        }
        Http1.Response r;
        try {
            r = client.exchange(method, uri, headers, bytes);
        } catch (Http1.ConnectTimeout e) {
            throw unreachable("no connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (Http1.ReadTimeout e) {
            throw unreachable("no answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (ConnectException e) {
            throw unreachable("connection refused (is anvild running? is the URL its api.listen?)");
        } catch (SSLException e) {
            throw unreachable("TLS failed: " + e.getMessage() + " (certificates checked against "
                    + (settings.caPem().isPresent() ? settings.caSource() : "the JVM's trust store")
                    + "; give the server's with --cacert FILE)");
        } catch (IOException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        if (r.status() < 400) {
            return new Reply(r.status(), r.body(), r.header("location"));
        }
        throw refusal(r.status(), r.body());
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
