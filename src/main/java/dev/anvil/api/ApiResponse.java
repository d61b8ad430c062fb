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

  public static ApiResponse noContent() {
    return new ApiResponse(HttpResponseStatus.NO_CONTENT, null);
  }
}
