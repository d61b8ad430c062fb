package dev.anvil.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/** Answers one aggregated HTTP request. Runs off the event loop; may block briefly (store access). */
@FunctionalInterface
public interface RequestHandler {
    /** {@code remote}: the client's address as the socket sees it (never a header's claim). */
    FullHttpResponse handle(FullHttpRequest request, java.net.InetSocketAddress remote);
}
