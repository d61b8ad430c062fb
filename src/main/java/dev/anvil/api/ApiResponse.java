package dev.anvil.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/** What a route answers: a status and a body object that is written as JSON (null for no body). */
public record ApiResponse(HttpResponseStatus status, Object body) {
  public static ApiResponse ok(Object body) {
    return new ApiResponse(HttpResponseStatus.OK, body);
  }

  public static ApiResponse created(Object body) {
    return new ApiResponse(HttpResponseStatus.CREATED, body);
  }

  /** A body sent as is (rendered files), not as JSON. */
  public record Raw(byte[] bytes, String contentType) {}

  public static ApiResponse text(String body, String contentType) {
    return new ApiResponse(HttpResponseStatus.OK, new Raw(body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        contentType));
  }

  public static ApiResponse noContent() {
    return new ApiResponse(HttpResponseStatus.NO_CONTENT, null);
  }
}
