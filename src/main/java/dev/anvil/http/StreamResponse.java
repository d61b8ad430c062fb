package dev.anvil.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A response whose body is not known up front (server-sent events): a handler returns it in place of a complete
 * response, and the listener sends its status and headers, then hands the open stream to {@link #opener}. The
 * body goes out chunked and the connection is closed after it (never reused for another request). For a HEAD
 * request the stream is closed right after the head.
 */
public final class StreamResponse extends DefaultFullHttpResponse {
    /** Takes the open stream; runs on a worker thread and must not block. Not called for a HEAD request. */
    @FunctionalInterface
    public interface Opener {
        void open(EventSink sink);
    }

    private final Opener opener;

    public StreamResponse(CharSequence contentType, Opener opener) {
        super(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        this.opener = opener;
        headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }

    public Opener opener() {
        return opener;
    }
}
