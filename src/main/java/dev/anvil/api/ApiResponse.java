package dev.anvil.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What a route answers: a status and a body object that is written as JSON (null for no body; a {@link Raw} or
 * {@link Page} as is; a {@code dev.anvil.http.StreamResponse} streamed), and for a 202 the {@code Location} of what
 * to poll (null for none).
 */
public record ApiResponse(HttpResponseStatus status, Object body, String location) {
    public ApiResponse(HttpResponseStatus status, Object body) {
        this(status, body, null);
    }

    /** 202: the work goes on after the answer; poll {@code location} for how it ends. */
    public static ApiResponse accepted(Object body, String location) {
        return new ApiResponse(HttpResponseStatus.ACCEPTED, body, location);
    }

    public static ApiResponse ok(Object body) {
        return new ApiResponse(HttpResponseStatus.OK, body);
    }

    public static ApiResponse created(Object body) {
        return new ApiResponse(HttpResponseStatus.CREATED, body);
    }

    /** A body sent as is (rendered files), not as JSON. */
    public record Raw(byte[] bytes, String contentType) {}

    /** A page of the dashboard, sent with the dashboard's security headers ({@link DashboardRoutes}). */
    public record Page(byte[] bytes, String contentType) {}

    public static ApiResponse text(String body, String contentType) {
        return new ApiResponse(
                HttpResponseStatus.OK, new Raw(body.getBytes(java.nio.charset.StandardCharsets.UTF_8), contentType));
    }

    public static ApiResponse noContent() {
        return new ApiResponse(HttpResponseStatus.NO_CONTENT, null);
    }
}
