package dev.anvil.http;

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
 * The HTTP listener. Requests are decoded and aggregated on the event loop; the {@link RequestHandler}
 * runs on a small worker group, since API calls touch the store and must not stall the loop.
 */
public final class HttpService implements Service {
  private static final Logger log = LoggerFactory.getLogger(HttpService.class);

  private final HttpConfig config;
  private final RequestHandler handler;
  private final java.util.List<FileMount> mounts;
  private final FileCounters counters = new FileCounters();
  private volatile State state = State.NEW;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private EventExecutorGroup handlers;
  private Channel channel;

  /** {@code mounts}: URL prefixes served as files (install trees, the boot root) before the API sees them. */
  public HttpService(HttpConfig config, RequestHandler handler, java.util.List<FileMount> mounts) {
    this.config = config;
    this.handler = handler;
    this.mounts = java.util.List.copyOf(mounts);
  }

  @Override
  public java.util.Map<String, Object> metrics() {
    return counters.snapshot();
  }

  @Override
  public String name() {
    return "http";
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
              ch.pipeline()
                  .addLast(new HttpServerCodec())
                  .addLast(new HttpServerKeepAliveHandler())
                  .addLast(new FileHandler(mounts, config.listDirectories(), counters))
                  .addLast(new Aggregator(config.maxRequestBytes()))
                  .addLast(handlers, "handler", new DispatchHandler(handler));
            }
          })
          .bind(config.listen().toSocketAddress()).sync().channel();
    } catch (Exception e) {
      state = State.FAILED;
      shutdownGroups();
      throw new IllegalStateException("cannot listen for HTTP on " + config.listen() + ": " + e.getMessage(), e);
    }
    state = State.RUNNING;
    log.info("http listening on {} ({})", boundAddress(), t);
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
