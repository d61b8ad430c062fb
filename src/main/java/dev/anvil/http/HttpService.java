package dev.anvil.http;

import dev.anvil.config.ApiConfig;
import dev.anvil.config.HostPort;
import dev.anvil.config.HttpConfig;
import dev.anvil.config.HttpLimits;
import dev.anvil.lifecycle.LogThrottle;
import dev.anvil.lifecycle.Meters;
import dev.anvil.lifecycle.Service;
import dev.anvil.lifecycle.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP listener (Anvil runs two: the boot listener with file mounts and node-facing calls, and the admin
 * API). Requests are decoded and aggregated on the event loop; the {@link RequestHandler} runs on a small
 * worker group, since API calls touch the store and must not stall the loop.
 *
 * <p>Both listeners apply their {@link HttpLimits}: a new connection over {@code maxConnections} or over
 * {@code maxConnectionsPerClient} from its address is closed at once ({@link ConnectionLimiter}); the timeouts
 * and the request line, header and body sizes per connection by {@link LimitHandler}; every refusal counted in
 * {@link LimitCounters} and shown under {@code metrics.limits} in {@code /api/v1/status}. A connection's
 * pipeline: [tls] - bytes-in - HttpServerCodec - limits - keep-alive - [files] - aggregator - dispatch.
 *
 * <p>Size: over 300 lines because it holds the one pipeline, its start and its bounded stop, and the meters of
 * all three; the limits, files and dispatch themselves live in their own handlers.
 */
public final class HttpService implements Service, io.micrometer.core.instrument.binder.MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(HttpService.class);

    private final String name;
    private final HostPort listen;
    private final HttpLimits limits;
    private final ConnectionLimiter limiter;
    private final LimitCounters limitCounters;
    private final RequestHandler handler;
    private final java.util.Optional<io.netty.handler.ssl.SslContext> tls;
    private final Mounts mounts;
    private final FileCounters counters = new FileCounters();
    /** The boot timeline the file responses are reported to (none until set). */
    private final dev.anvil.core.timeline.Timeline.Relay timeline = new dev.anvil.core.timeline.Timeline.Relay();

    private final LogThrottle faults = new LogThrottle(java.time.Duration.ofSeconds(10));
    private final LogThrottle failedConnections = new LogThrottle(java.time.Duration.ofSeconds(10));
    private volatile State state = State.NEW;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private EventExecutorGroup handlers;
    private io.netty.channel.group.ChannelGroup connections;
    private Channel channel;

    /**
     * The boot listener: {@code mounts} are URL prefixes served as files before the handler sees a request
     * (paths under {@link HttpConfig#ROUTED_SEGMENTS} excepted: they are the handler's).
     */
    public HttpService(HttpConfig config, RequestHandler handler, java.util.List<FileMount> mounts) {
        this(
                "http",
                config.listen(),
                config.limits(),
                handler,
                new Mounts(mounts, HttpConfig.ROUTED_SEGMENTS),
                java.util.Optional.empty());
    }

    /** The admin listener: the handler alone, no files; HTTPS when {@code tls} is present. */
    public HttpService(
            ApiConfig config, RequestHandler handler, java.util.Optional<io.netty.handler.ssl.SslContext> tls) {
        this(
                "api",
                config.listen(),
                config.limits(),
                handler,
                new Mounts(java.util.List.of(), java.util.Set.of()),
                tls);
    }

    private HttpService(
            String name,
            HostPort listen,
            HttpLimits limits,
            RequestHandler handler,
            Mounts mounts,
            java.util.Optional<io.netty.handler.ssl.SslContext> tls) {
        this.tls = tls;
        this.name = name;
        this.listen = listen;
        this.limits = limits;
        this.limiter = new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerClient());
        this.limitCounters = new LimitCounters(name, limits);
        this.handler = handler;
        this.mounts = mounts;
    }

    /**
     * The file counters (boot listener) and {@code limits}: the connections and client addresses open now and a
     * counter per {@link Refusal}.
     */
    @Override
    public java.util.Map<String, Object> metrics() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        if (!mounts.isEmpty()) {
            m.putAll(counters.snapshot());
        }
        java.util.Map<String, Object> l = new java.util.LinkedHashMap<>();
        l.put("connections", limiter.open());
        l.put("clients", limiter.clients());
        l.putAll(limitCounters.snapshot());
        m.put("limits", l);
        return m;
    }

    /**
     * {@code anvil_http_connections} and {@code anvil_http_clients} (open now), the refusals by reason, all tagged
     * with the listener ({@code http}: boot, {@code api}: admin); the boot listener's file counters and histograms.
     */
    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry r) {
        Meters.gauge(
                r,
                "anvil.http.connections",
                "connections open now",
                limiter,
                ConnectionLimiter::open,
                "listener",
                name);
        Meters.gauge(
                r,
                "anvil.http.clients",
                "client addresses with a connection open now",
                limiter,
                ConnectionLimiter::clients,
                "listener",
                name);
        limitCounters.bindTo(r);
        if (!mounts.isEmpty()) {
            counters.bindTo(r);
        }
    }

    /** The refusal counters (for tests and the status endpoint). */
    public LimitCounters limitCounters() {
        return limitCounters;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void start() throws Exception {
        state = State.STARTING;
        Transport t = Transport.detect();
        boss = t.group(1);
        workers = t.group(Transport.cores());
        handlers = new DefaultEventExecutorGroup(8);
        connections = new io.netty.channel.group.DefaultChannelGroup(
                name, io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
        try {
            channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(t.server())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .handler(new Admission())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            var p = ch.pipeline();
                            tls.ifPresent(ctx -> p.addLast("tls", ctx.newHandler(ch.alloc())));
                            addHttpHandlers(p, handlers);
                        }
                    })
                    .bind(listen.toSocketAddress())
                    .sync()
                    .channel();
        } catch (Exception e) {
            state = State.FAILED;
            shutdownGroups();
            throw new IllegalStateException("cannot listen for " + name + " on " + listen + ": " + e.getMessage(), e);
        }
        state = State.RUNNING;
        log.info("{} listening on {} ({})", name, boundAddress(), t);
    }

    /**
     * On the acceptor thread, before a new connection is handed to a worker loop: counts it against the caps and
     * releases it when it closes; over a cap it is closed at once, never registered, and counted. Here, in
     * accept order (the worker loops set connections up in parallel, in no order).
     */
    private final class Admission extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            if (!(child.remoteAddress() instanceof InetSocketAddress remote)) {
                child.unsafe().closeForcibly(); // gone before it was accepted
                return;
            }
            java.net.InetAddress client = remote.getAddress();
            ConnectionLimiter.Admission a = limiter.admit(client);
            if (a != ConnectionLimiter.Admission.ADMITTED) {
                limitCounters.count(
                        a == ConnectionLimiter.Admission.OVER_TOTAL
                                ? Refusal.TOO_MANY_CONNECTIONS
                                : Refusal.TOO_MANY_FROM_CLIENT,
                        remote,
                        null);
                child.unsafe().closeForcibly();
                return;
            }
            // Released however it closes. (A child the worker group refuses to register, only while it shuts down,
            // is closed forcibly without completing this future: its slot is lost with the listener.)
            child.closeFuture().addListener(f -> limiter.release(client));
            connections.add(child); // closed by close(), before the loops stop
            ctx.fireChannelRead(child);
        }
    }

    /**
     * The handlers of one connection after TLS: the limits, decoding, keep-alive, the file mounts, the aggregator
     * and the dispatch to the handler on {@code group} (null: on the event loop, as the fuzz test runs them).
     */
    void addHttpHandlers(io.netty.channel.ChannelPipeline p, EventExecutorGroup group) {
        LimitHandler guard = new LimitHandler(limits, limitCounters);
        p.addLast("bytes-in", guard.bytesIn())
                .addLast(new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(limits.maxRequestLineBytes())
                        .setMaxHeaderSize(limits.maxHeaderBytes())))
                .addLast("limits", guard)
                .addLast(new HttpServerKeepAliveHandler());
        if (!mounts.isEmpty()) {
            p.addLast(new FileHandler(mounts, counters, timeline));
        }
        p.addLast(new Aggregator(limits.maxBodyBytes(), limitCounters))
                .addLast(group, "handler", new DispatchHandler(handler, faults, failedConnections));
    }

    /** From now on the file responses are reported to {@code t} (the boot timeline). */
    public void timeline(dev.anvil.core.timeline.Timeline t) {
        timeline.to(t);
    }

    /** Whether this listener speaks HTTPS. */
    public boolean secure() {
        return tls.isPresent();
    }

    /** The address actually bound (the port the OS chose when the config said 0). */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public synchronized void close() {
        if (state == State.STOPPED || state == State.NEW) {
            return;
        }
        state = State.STOPPING;
        if (channel != null) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        // Open connections first, while every executor runs: a connection's pipeline is taken down on its event
        // loop and on the handler executor in turn, and a stopped executor refusing that step was a stack trace
        // in the log at every stop with a client connected.
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
        state = State.STOPPED;
    }

    private void shutdownGroups() {
        Transport.shutdown(100, boss, workers);
        Transport.shutdown(handlers);
    }

    /**
     * Answers an oversized body with a JSON 413 instead of netty's empty one. The connection stays open (for a
     * keep-alive client) while the aggregator discards the rest of the body: closing at once would reset the
     * connection under a client still sending, and it would never read the 413.
     */
    private static final class Aggregator extends HttpObjectAggregator {
        private final int max;
        private final LimitCounters refusals;

        Aggregator(int max, LimitCounters refusals) {
            super(max);
            this.max = max;
            this.refusals = refusals;
        }

        /** With {@code Expect: 100-continue} netty refuses an oversized body up front; give that refusal our body. */
        @Override
        protected Object newContinueResponse(
                HttpMessage start, int maxContentLength, io.netty.channel.ChannelPipeline pipeline) {
            Object r = super.newContinueResponse(start, maxContentLength, pipeline);
            if (r instanceof io.netty.handler.codec.http.HttpResponse resp
                    && resp.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
                io.netty.util.ReferenceCountUtil.release(r);
                refusals.count(Refusal.BODY_TOO_LARGE, pipeline.channel().remoteAddress(), "Expect: 100-continue");
                var json = Responses.error(
                        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body exceeds " + max + " bytes", null);
                io.netty.handler.codec.http.HttpUtil.setKeepAlive(json, false);
                return json;
            }
            return r;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            refusals.count(Refusal.BODY_TOO_LARGE, ctx.channel().remoteAddress(), null);
            Responses.send(
                    ctx,
                    oversized,
                    Responses.error(
                            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                            "request body exceeds " + max + " bytes",
                            null),
                    false);
        }
    }
}
