package dev.anvil.http;

import dev.anvil.config.ApiConfig;
import dev.anvil.config.HostPort;
import dev.anvil.config.HttpConfig;
import dev.anvil.lifecycle.Service;
import dev.anvil.lifecycle.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
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
 */
public final class HttpService implements Service {
  private static final Logger log = LoggerFactory.getLogger(HttpService.class);

  private final String name;
  private final HostPort listen;
  private final int maxRequestBytes;
  private final boolean listDirectories;
  private final RequestHandler handler;
  private final java.util.Optional<io.netty.handler.ssl.SslContext> tls;
  private final java.util.List<FileMount> mounts;
  private final FileCounters counters = new FileCounters();
  private volatile State state = State.NEW;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private EventExecutorGroup handlers;
  private Channel channel;

  /** The boot listener: {@code mounts} are URL prefixes served as files before the handler sees a request. */
  public HttpService(HttpConfig config, RequestHandler handler, java.util.List<FileMount> mounts) {
    this("http", config.listen(), config.maxRequestBytes(), config.listDirectories(), handler, mounts,
        java.util.Optional.empty());
  }

  /** The admin listener: the handler alone, no files; HTTPS when {@code tls} is present. */
  public HttpService(ApiConfig config, RequestHandler handler, java.util.Optional<io.netty.handler.ssl.SslContext> tls) {
    this("api", config.listen(), config.maxRequestBytes(), false, handler, java.util.List.of(), tls);
  }

  private HttpService(String name, HostPort listen, int maxRequestBytes, boolean listDirectories,
      RequestHandler handler, java.util.List<FileMount> mounts,
      java.util.Optional<io.netty.handler.ssl.SslContext> tls) {
    this.tls = tls;
    this.name = name;
    this.listen = listen;
    this.maxRequestBytes = maxRequestBytes;
    this.listDirectories = listDirectories;
    this.handler = handler;
    this.mounts = java.util.List.copyOf(mounts);
  }

  @Override
  public java.util.Map<String, Object> metrics() {
    return mounts.isEmpty() ? java.util.Map.of() : counters.snapshot();
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
    try {
      channel = new ServerBootstrap()
          .group(boss, workers)
          .channel(t.server())
          .option(ChannelOption.SO_REUSEADDR, true)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              var p = ch.pipeline();
              tls.ifPresent(ctx -> p.addLast("tls", ctx.newHandler(ch.alloc())));
              addHttpHandlers(p, handlers);
            }
          })
          .bind(listen.toSocketAddress()).sync().channel();
    } catch (Exception e) {
      state = State.FAILED;
      shutdownGroups();
      throw new IllegalStateException("cannot listen for " + name + " on " + listen + ": " + e.getMessage(), e);
    }
    state = State.RUNNING;
    log.info("{} listening on {} ({})", name, boundAddress(), t);
  }

  /**
   * The handlers of one connection after TLS: decoding, keep-alive, the file mounts, the aggregator and the
   * dispatch to the handler on {@code group} (null: on the event loop, as the fuzz test runs them).
   */
  void addHttpHandlers(io.netty.channel.ChannelPipeline p, EventExecutorGroup group) {
    p.addLast(new HttpServerCodec())
        .addLast(new HttpServerKeepAliveHandler());
    if (!mounts.isEmpty()) {
      p.addLast(new FileHandler(mounts, listDirectories, counters));
    }
    p.addLast(new Aggregator(maxRequestBytes))
        .addLast(group, "handler", new DispatchHandler(handler));
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
    shutdownGroups();
    state = State.STOPPED;
  }

  private void shutdownGroups() {
    Transport.shutdown(boss, workers, handlers);
  }

  /**
   * Answers an oversized body with a JSON 413 instead of netty's empty one. The connection stays open (for a
   * keep-alive client) while the aggregator discards the rest of the body: closing at once would reset the
   * connection under a client still sending, and it would never read the 413.
   */
  private static final class Aggregator extends HttpObjectAggregator {
    private final int max;

    Aggregator(int max) {
      super(max);
      this.max = max;
    }

    /** With {@code Expect: 100-continue} netty refuses an oversized body up front; give that refusal our body. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength,
        io.netty.channel.ChannelPipeline pipeline) {
      Object r = super.newContinueResponse(start, maxContentLength, pipeline);
      if (r instanceof io.netty.handler.codec.http.HttpResponse resp
          && resp.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
        io.netty.util.ReferenceCountUtil.release(r);
        var json = Responses.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body exceeds " + max
            + " bytes", null);
        io.netty.handler.codec.http.HttpUtil.setKeepAlive(json, false);
        return json;
      }
      return r;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      Responses.send(ctx, oversized, Responses.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body exceeds " + max + " bytes", null), false);
    }
  }
}
