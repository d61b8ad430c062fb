package dev.anvil.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/** An error answered with its status and a JSON body naming the field at fault. */
public class ApiException extends RuntimeException {
    private final HttpResponseStatus status;
    private final String field;

    public ApiException(HttpResponseStatus status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public static ApiException badRequest(String message, String field) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, message, field);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(HttpResponseStatus.FORBIDDEN, message, null);
    }

    /** A refusal to come back later: the answer carries {@code Retry-After}. */
    public static final class RetryLater extends ApiException {
        private final long seconds;

        public RetryLater(HttpResponseStatus status, String message, long seconds) {
            super(status, message, null);
            this.seconds = seconds;
        }

        public long seconds() {
            return seconds;
        }
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String field() {
        return field;
    }
}
