package dev.anvil.http;

import dev.anvil.lifecycle.LogThrottle;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each request to the handler; a request that cannot be decoded gets 400, a handler fault 500. A {@link
 * StreamResponse} is sent as a head and then a chunked body its opener writes as it likes. Faults and
 * failed connections are logged through the listener's throttles (one line per 10 s each, with the number kept
 * quiet), so a client repeating them cannot flood the log.
 */
final class DispatchHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(DispatchHandler.class);
    private final RequestHandler handler;
    private final LogThrottle faults;
    private final LogThrottle failedConnections;

    DispatchHandler(RequestHandler handler, LogThrottle faults, LogThrottle failedConnections) {
        this.handler = handler;
        this.faults = faults;
        this.failedConnections = failedConnections;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            Responses.send(
                    ctx, req, Responses.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request", null), true);
            return;
        }
        FullHttpResponse resp;
        try {
            resp = handler.handle(
                    req,
                    (java.net.InetSocketAddress) ctx.channel().remoteAddress(),
                    ctx.channel().localAddress() instanceof java.net.InetSocketAddress l ? l : null);
        } catch (RuntimeException e) {
            long quiet = faults.permit(System.nanoTime());
            if (quiet >= 0) {
                log.error("request {} {} failed ({} more since the last line)", req.method(), req.uri(), quiet, e);
            }
            resp = Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", null);
        }
        if (resp instanceof StreamResponse stream) {
            startStream(ctx, req, stream);
            return;
        }
        if (req.method().equals(HttpMethod.HEAD)) {
            resp = resp.replace(io.netty.buffer.Unpooled.EMPTY_BUFFER);
        }
        Responses.send(ctx, req, resp, false);
    }

    /**
     * Sends the head of a streamed response (chunked, {@code Connection: close}: the connection ends with the
     * stream) and hands the open stream over; a HEAD request gets the head alone.
     */
    private void startStream(ChannelHandlerContext ctx, FullHttpRequest req, StreamResponse stream) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, stream.status(), stream.headers());
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, false);
        ctx.writeAndFlush(head);
        ChannelSink sink = new ChannelSink(ctx.channel());
        if (req.method().equals(HttpMethod.HEAD)) {
            sink.close();
            return;
        }
        try {
            stream.opener().open(sink);
        } catch (RuntimeException e) {
            long quiet = faults.permit(System.nanoTime());
            if (quiet >= 0) {
                log.error("stream {} failed to open ({} more since the last line)", req.uri(), quiet, e);
            }
            sink.close();
        }
    }

    /**
     * A connection that fails is closed; logged unless the client went away ({@link IOException}) or the connection
     * was closed under a request still arriving (a limit did it, and counted and logged that).
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException || cause instanceof PrematureChannelClosureException)) {
            long quiet = failedConnections.permit(System.nanoTime());
            if (quiet >= 0) {
                log.warn(
                        "http connection from {} failed: {} ({} more since the last line)",
                        ctx.channel().remoteAddress(),
                        cause.toString(),
                        quiet);
            }
        }
        ctx.close();
    }
}
