package dev.anvil.http;

import dev.anvil.config.HttpLimits;

/** Why a listener turned a client away: one counter in {@code /api/v1/status} and one (rate-limited) log line each. */
public enum Refusal {
    /** {@code limits.maxConnections} reached: the new connection is closed at once. */
    TOO_MANY_CONNECTIONS("refusedConnections", "limits.maxConnections"),
    /** {@code limits.maxConnectionsPerClient} reached for the client's address: closed at once. */
    TOO_MANY_FROM_CLIENT("refusedPerClient", "limits.maxConnectionsPerClient"),
    /** The request head did not arrive within {@code limits.headerTimeoutSeconds}: 408, closed. */
    HEADER_TIMEOUT("headerTimeouts", "limits.headerTimeoutSeconds"),
    /** The request body paused longer than {@code limits.bodyTimeoutSeconds}: 408, closed. */
    BODY_TIMEOUT("bodyTimeouts", "limits.bodyTimeoutSeconds"),
    /** The client read none of a response for {@code limits.sendTimeoutSeconds}: closed. */
    SEND_TIMEOUT("sendTimeouts", "limits.sendTimeoutSeconds"),
    /** A keep-alive connection waited longer than {@code limits.idleTimeoutSeconds} for a request: closed quietly. */
    IDLE_TIMEOUT("idleTimeouts", "limits.idleTimeoutSeconds"),
    /** The request line is longer than {@code limits.maxRequestLineBytes}: 414, closed. */
    REQUEST_LINE_TOO_LONG("requestLineTooLong", "limits.maxRequestLineBytes"),
    /** The header block is larger than {@code limits.maxHeaderBytes}: 431, closed. */
    HEADERS_TOO_LARGE("headersTooLarge", "limits.maxHeaderBytes"),
    /** The body is larger than {@code limits.maxBodyBytes}: 413. */
    BODY_TOO_LARGE("bodyTooLarge", "limits.maxBodyBytes"),
    /** The request could not be decoded: 400, closed. */
    MALFORMED("malformed", null);

    private final String counter;
    private final String limit;

    Refusal(String counter, String limit) {
        this.counter = counter;
        this.limit = limit;
    }

    /** Its name in the listener's {@code limits} metrics. */
    public String counter() {
        return counter;
    }

    /** The configuration field it enforces ({@code limits.…} under {@code http:} or {@code api:}), or null. */
    public String limit() {
        return limit;
    }

    /** What happened, for the log: e.g. {@code the request head did not arrive within 10 s}. */
    String describe(HttpLimits l) {
        return switch (this) {
            case TOO_MANY_CONNECTIONS -> "refused a connection: " + l.maxConnections() + " open";
            case TOO_MANY_FROM_CLIENT -> "refused a connection: " + l.maxConnectionsPerClient() + " open from it";
            case HEADER_TIMEOUT ->
                "closed a connection: the request head did not arrive within "
                        + l.headerTimeout().toSeconds() + " s";
            case BODY_TIMEOUT ->
                "closed a connection: the request body paused for "
                        + l.bodyTimeout().toSeconds() + " s";
            case SEND_TIMEOUT ->
                "closed a connection: the client read nothing of the response for "
                        + l.sendTimeout().toSeconds() + " s";
            case IDLE_TIMEOUT ->
                "closed a keep-alive connection idle for " + l.idleTimeout().toSeconds() + " s";
            case REQUEST_LINE_TOO_LONG ->
                "answered 414: request line longer than " + l.maxRequestLineBytes() + " bytes";
            case HEADERS_TOO_LARGE -> "answered 431: headers larger than " + l.maxHeaderBytes() + " bytes";
            case BODY_TOO_LARGE -> "answered 413: body larger than " + l.maxBodyBytes() + " bytes";
            case MALFORMED -> "answered 400: malformed request";
        };
    }
}
