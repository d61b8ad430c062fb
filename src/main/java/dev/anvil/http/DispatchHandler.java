package dev.anvil.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands each request to the handler; a request that cannot be decoded gets 400, a handler fault 500. */
final class DispatchHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(DispatchHandler.class);
    private final RequestHandler handler;

    DispatchHandler(RequestHandler handler) {
        this.handler = handler;
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
                    req, (java.net.InetSocketAddress) ctx.channel().remoteAddress());
        } catch (RuntimeException e) {
            log.error("request {} {} failed", req.method(), req.uri(), e);
            resp = Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", null);
        }
        if (req.method().equals(HttpMethod.HEAD)) {
            resp = resp.replace(io.netty.buffer.Unpooled.EMPTY_BUFFER);
        }
        Responses.send(ctx, req, resp, false);
    }

    /**
     * A connection that fails is closed; logged unless the client went away ({@link IOException}) or the connection
     * was closed under a request still arriving (a limit did it, and counted and logged that).
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException || cause instanceof PrematureChannelClosureException)) {
            log.warn("http connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
