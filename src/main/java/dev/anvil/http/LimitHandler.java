package dev.anvil.http;

import dev.anvil.config.HttpLimits;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Applies a listener's {@link HttpLimits} to one connection: the timeouts of {@link ConnectionTimers} (408 and
 * close for a head or body that does not arrive in time, close for a client that stops reading or a keep-alive
 * connection left idle) and the answers to requests the codec refused (414 for a request line over
 * {@code maxRequestLineBytes}, 431 for headers over {@code maxHeaderBytes}, 400 for anything else malformed).
 * Every refusal is counted in {@link LimitCounters}.
 *
 * <p>It sits right after the {@code HttpServerCodec}, where it sees decoded requests and the responses written;
 * {@link #bytesIn()} is its second half, right before the codec, where the first byte of a request shows. After
 * an error answer the connection closes gracefully: output shut down once the answer is out, anything more the
 * client sends read and dropped for at most {@link #LINGER_MILLIS}, then closed (closing with unread input would reset
 * the connection and the client might never see the answer).
 */
final class LimitHandler extends ChannelDuplexHandler {
    static final long LINGER_MILLIS = 2000;

    private final HttpLimits limits;
    private final LimitCounters counters;
    private final ConnectionTimers timers;
    private ScheduledFuture<?> timer;
    private long timerAt;
    private boolean closing;

    LimitHandler(HttpLimits limits, LimitCounters counters) {
        this.limits = limits;
        this.counters = counters;
        this.timers = new ConnectionTimers(limits, System.nanoTime());
    }

    /** The half that goes before the codec: notes the bytes of a request as they arrive; drops them when closing. */
    ChannelInboundHandlerAdapter bytesIn() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (closing) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                timers.bytesIn(System.nanoTime());
                ctx.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isRegistered()) {
            arm(ctx);
        }
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        long now = System.nanoTime();
        if (msg instanceof HttpRequest req) {
            if (req.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                refuseMalformed(ctx, req.decoderResult().cause());
                return;
            }
            timers.head(now, msg instanceof LastHttpContent);
        } else if (msg instanceof HttpContent c) {
            timers.bodyPart(now, c instanceof LastHttpContent);
        }
        arm(ctx);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        boolean end = msg instanceof LastHttpContent && !interim;
        timers.writeStarted(System.nanoTime(), msg instanceof HttpResponse && !interim);
        ChannelPromise p = promise.unvoid();
        p.addListener(f -> {
            timers.writeDone(System.nanoTime(), end);
            arm(ctx);
        });
        ctx.write(msg, p);
        arm(ctx);
    }

    /** 414, 431 or 400 for a request the codec could not take. */
    private void refuseMalformed(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            refuse(
                    ctx,
                    Refusal.REQUEST_LINE_TOO_LONG,
                    null,
                    HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "request line longer than " + limits.maxRequestLineBytes() + " bytes");
        } else if (cause instanceof TooLongHttpHeaderException) {
            refuse(
                    ctx,
                    Refusal.HEADERS_TOO_LARGE,
                    null,
                    HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "request headers larger than " + limits.maxHeaderBytes() + " bytes");
        } else {
            refuse(
                    ctx,
                    Refusal.MALFORMED,
                    String.valueOf(cause),
                    HttpResponseStatus.BAD_REQUEST,
                    "malformed HTTP request");
        }
    }

    /**
     * Counts {@code r}, answers {@code status} with a JSON error and closes gracefully; when a response is still
     * owed or on the wire for an earlier request, closes after what is queued, without an answer.
     */
    private void refuse(
            ChannelHandlerContext ctx, Refusal r, String detail, HttpResponseStatus status, String message) {
        counters.count(r, ctx.channel().remoteAddress(), detail);
        closing = true;
        cancel();
        if (!timers.mayAnswer()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        FullHttpResponse resp = Responses.error(status, message, null);
        HttpUtil.setKeepAlive(resp, false);
        ctx.writeAndFlush(resp).addListener(f -> linger(ctx));
    }

    /**
     * Shuts the output down and drops what the client still sends until it closes, or {@link #LINGER_MILLIS}
     * passed.
     */
    private static void linger(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof DuplexChannel d && d.isActive() && !d.isOutputShutdown()) {
            d.shutdownOutput();
            ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            ctx.close();
        }
    }

    /** Schedules a wake-up at the timers' deadline unless one is due no later. */
    private void arm(ChannelHandlerContext ctx) {
        if (closing) {
            return;
        }
        long d = timers.deadline();
        if (d == Long.MAX_VALUE || timer != null && timerAt - d <= 0) {
            return;
        }
        cancel();
        timerAt = d;
        timer = ctx.executor().schedule(() -> fire(ctx), Math.max(0, d - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fire(ChannelHandlerContext ctx) {
        timer = null;
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        timers.output(now, output(ctx));
        switch (timers.expired(now)) {
            case NONE -> arm(ctx);
            case HEADER -> timedOut(ctx, Refusal.HEADER_TIMEOUT);
            case BODY -> timedOut(ctx, Refusal.BODY_TIMEOUT);
            case SEND -> close(ctx, Refusal.SEND_TIMEOUT);
            case IDLE -> close(ctx, Refusal.IDLE_TIMEOUT);
        }
    }

    /** A fingerprint of the channel's pending output that changes whenever bytes leave. */
    private static long output(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer b = ctx.channel().unsafe().outboundBuffer();
        if (b == null) {
            return 0;
        }
        return b.totalPendingWriteBytes() * 31 + b.currentProgress() * 131 + System.identityHashCode(b.current());
    }

    private void timedOut(ChannelHandlerContext ctx, Refusal r) {
        if (timers.mayAnswer()) {
            refuse(
                    ctx,
                    r,
                    null,
                    HttpResponseStatus.REQUEST_TIMEOUT,
                    r == Refusal.HEADER_TIMEOUT
                            ? "the request head did not arrive in time"
                            : "the request body stopped arriving");
        } else {
            close(ctx, r);
        }
    }

    private void close(ChannelHandlerContext ctx, Refusal r) {
        counters.count(r, ctx.channel().remoteAddress(), null);
        closing = true;
        cancel();
        ctx.close();
    }
}
