package dev.anvil.api;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/** Who may send a request to a listener: decided before routing, so a refused caller learns nothing of routes. */
public interface Access {
    /** The outcome: the caller's actor name, or the response that refuses the request. */
    sealed interface Decision permits Allowed, Refused {}

    record Allowed(String actor) implements Decision {}

    record Refused(FullHttpResponse response) implements Decision {}

    Decision check(FullHttpRequest request);

    /** Everyone (the boot listener: each node-facing route checks what it serves on its own). */
    static Access nodes() {
        Allowed node = new Allowed("node");
        return r -> node;
    }
}
