package dev.anvil.config;

import java.time.Duration;

/**
 * The bounds on one HTTP listener ({@code http.limits}, {@code api.limits}): what a single client, or all of
 * them together, may hold of it. Each limit has a refusal (a closed connection or a 4xx/408) and a counter in
 * {@code /api/v1/status} (doc/security.md lists them).
 *
 * @param idleTimeout how long a keep-alive connection may wait for the next request (closed quietly after)
 * @param headerTimeout how long the whole request head (request line and headers) may take to arrive, counted
 *     from the connection's start for its first request and from the first byte for later ones (408, closed)
 * @param bodyTimeout the longest pause between two reads of a request body (408, closed)
 * @param sendTimeout the longest time a response may make no progress because the client does not read it
 *     (closed)
 * @param maxConnections open connections on the listener; one more is closed at once
 * @param maxConnectionsPerClient open connections from one client address; one more is closed at once
 * @param maxRequestLineBytes the longest request line ({@code GET /path HTTP/1.1}); longer: 414, closed
 * @param maxHeaderBytes the largest header block; larger: 431, closed
 * @param maxBodyBytes the largest request body; larger: 413
 */
public record HttpLimits(
        Duration idleTimeout,
        Duration headerTimeout,
        Duration bodyTimeout,
        Duration sendTimeout,
        int maxConnections,
        int maxConnectionsPerClient,
        int maxRequestLineBytes,
        int maxHeaderBytes,
        int maxBodyBytes) {

    /** The boot listener's defaults: every booting and installing machine of a large cluster at once. */
    public static final HttpLimits BOOT = new HttpLimits(
            Duration.ofSeconds(60),
            Duration.ofSeconds(10),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60),
            4096,
            64,
            8 << 10,
            16 << 10,
            1 << 20);

    /** The admin API's defaults: operators and their scripts. */
    public static final HttpLimits API = new HttpLimits(
            Duration.ofSeconds(60),
            Duration.ofSeconds(10),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60),
            1024,
            64,
            8 << 10,
            16 << 10,
            1 << 20);
}
