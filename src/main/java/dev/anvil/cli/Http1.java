package dev.anvil.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The CLI's HTTP/1.1 client: one request per connection ({@code Connection: close}), over a plain socket or TLS
 * (the host name checked against the certificate, as browsers and curl do). Written here rather than {@code
 * java.net.http}: that client costs a CLI run about 0.3 s of start-up (its selector thread, its TLS context even for
 * {@code http://}, some 150 classes) for one or two requests to the local daemon; this one about 20 ms. What it
 * reads is bounded: a status line and headers of at most {@link #MAX_HEAD} bytes, a body of at most {@link
 * #MAX_BODY}, by {@code Content-Length}, chunked, or up to the close.
 */
final class Http1 {
    static final int MAX_HEAD = 64 * 1024;
    static final int MAX_BODY = 256 * 1024 * 1024;

    /** An answer: its status, headers (names in lower case, the last of a repeated one) and body. */
    record Response(int status, Map<String, String> headers, String body) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    /** No connection within the connect timeout. */
    static final class ConnectTimeout extends IOException {
        ConnectTimeout(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A connection, but no (whole) answer within the read timeout. */
    static final class ReadTimeout extends IOException {
        ReadTimeout(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Bytes that are not an HTTP/1.x answer, or one past the limits. */
    static final class BadResponse extends IOException {
        BadResponse(String message) {
            super(message);
        }
    }

    private final Optional<SSLContext> tls;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    /** {@code tls}: the context an {@code https} URL is checked with (empty: the JVM's default trust store). */
    Http1(Optional<SSLContext> tls, Duration connectTimeout, Duration readTimeout) {
        this.tls = tls;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** Sends {@code method uri} with the headers and body (null: none) and reads the answer. */
    Response exchange(String method, URI uri, Map<String, String> headers, byte[] body) throws IOException {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        if (!https && !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new BadResponse("not an http:// or https:// URL: " + uri);
        }
        String host = uri.getHost();
        if (host == null) {
            throw new BadResponse("no host in " + uri);
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        try (Socket plain = new Socket()) {
            try {
                plain.connect(new InetSocketAddress(bare, port), (int) connectTimeout.toMillis());
            } catch (SocketTimeoutException e) {
                throw new ConnectTimeout(e);
            }
            plain.setSoTimeout((int) readTimeout.toMillis());
            Socket conn = https ? secure(plain, bare, port) : plain;
            try {
                OutputStream out = new BufferedOutputStream(conn.getOutputStream());
                out.write(head(method, uri, host, port, https, headers, body).getBytes(StandardCharsets.UTF_8));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
                return read(new BufferedInputStream(conn.getInputStream()), "HEAD".equals(method));
            } catch (SocketTimeoutException e) {
                throw new ReadTimeout(e);
            } finally {
                conn.close();
            }
        }
    }

    private Socket secure(Socket plain, String host, int port) throws IOException {
        SSLSocketFactory f =
                tls.map(SSLContext::getSocketFactory).orElseGet(() -> (SSLSocketFactory) SSLSocketFactory.getDefault());
        SSLSocket s = (SSLSocket) f.createSocket(plain, host, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    static String head(
            String method, URI uri, String host, int port, boolean https, Map<String, String> headers, byte[] body) {
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        StringBuilder h = new StringBuilder()
                .append(method)
                .append(' ')
                .append(target)
                .append(" HTTP/1.1\r\nHost: ")
                .append(host);
        if (port != (https ? 443 : 80)) {
            h.append(':').append(port);
        }
        h.append("\r\nConnection: close\r\nAccept: application/json\r\n");
        headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        if (body != null || !"GET".equals(method) && !"DELETE".equals(method) && !"HEAD".equals(method)) {
            h.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
        }
        return h.append("\r\n").toString();
    }

    /** Reads one answer (interim 1xx answers skipped); {@code head}: an answer to HEAD, which has no body. */
    static Response read(InputStream in, boolean head) throws IOException {
        int[] budget = {MAX_HEAD};
        while (true) {
            String status = line(in, budget);
            if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
                throw new BadResponse("not an HTTP/1.x answer: " + clip(status));
            }
            int code;
            try {
                code = Integer.parseInt(status.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new BadResponse("not an HTTP status: " + clip(status));
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(in, budget); !l.isEmpty(); l = line(in, budget)) {
                int colon = l.indexOf(':');
                if (colon <= 0) {
                    throw new BadResponse("not an HTTP header: " + clip(l));
                }
                headers.put(
                        l.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        l.substring(colon + 1).strip());
            }
            if (code >= 100 && code < 200) {
                continue;
            }
            byte[] body;
            if (head || code == 204 || code == 304) {
                body = new byte[0];
            } else if (headers.getOrDefault("transfer-encoding", "")
                    .toLowerCase(Locale.ROOT)
                    .contains("chunked")) {
                body = chunked(in, budget);
            } else if (headers.containsKey("content-length")) {
                long n;
                try {
                    n = Long.parseLong(headers.get("content-length"));
                } catch (NumberFormatException e) {
                    throw new BadResponse("Content-Length is not a number: " + clip(headers.get("content-length")));
                }
                if (n < 0 || n > MAX_BODY) {
                    throw new BadResponse("an answer of " + n + " bytes (at most " + MAX_BODY + ")");
                }
                body = exactly(in, (int) n);
            } else {
                body = toEnd(in);
            }
            return new Response(code, headers, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static byte[] chunked(InputStream in, int[] budget) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in, new int[] {1024});
            int semi = size.indexOf(';');
            long n;
            try {
                n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).strip(), 16);
            } catch (NumberFormatException e) {
                throw new BadResponse("not a chunk size: " + clip(size));
            }
            if (n < 0 || out.size() + n > MAX_BODY) {
                throw new BadResponse("an answer over " + MAX_BODY + " bytes");
            }
            if (n == 0) {
                while (!line(in, budget).isEmpty()) {
                    // trailers: read past
                }
                return out.toByteArray();
            }
            out.write(exactly(in, (int) n));
            if (!line(in, new int[] {2}).isEmpty()) {
                throw new BadResponse("a chunk longer than its size");
            }
        }
    }

    private static byte[] exactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new BadResponse("the answer ended after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    private static byte[] toEnd(InputStream in) throws IOException {
        byte[] b = in.readNBytes(MAX_BODY + 1);
        if (b.length > MAX_BODY) {
            throw new BadResponse("an answer over " + MAX_BODY + " bytes");
        }
        return b;
    }

    /** A CRLF- (or LF-) terminated line, charged to {@code budget} (the head's, or a chunk line's own). */
    private static String line(InputStream in, int[] budget) throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new BadResponse(
                        s.length() == 0 ? "the connection closed without an answer" : "the answer ended mid-line");
            }
            if (--budget[0] < 0) {
                throw new BadResponse(
                        "an answer line past its limit (the head: " + MAX_HEAD + " bytes in all; a chunk size: 1024)");
            }
            if (c == '\n') {
                int end = s.length();
                return end > 0 && s.charAt(end - 1) == '\r' ? s.substring(0, end - 1) : s.toString();
            }
            s.append((char) c);
        }
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
