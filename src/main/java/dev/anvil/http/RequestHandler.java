package dev.anvil.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/** Answers one aggregated HTTP request. Runs off the event loop; may block briefly (store access). */
@FunctionalInterface
public interface RequestHandler {
    /** {@code remote}: the client's address as the socket sees it (never a header's claim). */
    FullHttpResponse handle(FullHttpRequest request, java.net.InetSocketAddress remote);

    /**
     * As {@link #handle(FullHttpRequest, java.net.InetSocketAddress)}, with {@code local}, the address the client
     * reached (the connection's own end: over IPv6, the address URLs in the answer should name).
     */
    default FullHttpResponse handle(
            FullHttpRequest request, java.net.InetSocketAddress remote, java.net.InetSocketAddress local) {
        return handle(request, remote);
    }
}
