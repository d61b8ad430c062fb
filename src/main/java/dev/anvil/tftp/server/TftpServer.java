package dev.anvil.tftp.server;

import dev.anvil.config.TftpConfig;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.lifecycle.Service;
import dev.anvil.lifecycle.Transport;
import dev.anvil.tftp.codec.MalformedPacketException;
import dev.anvil.tftp.codec.TftpCodec;
import dev.anvil.tftp.codec.TftpPacket;
import dev.anvil.tftp.policy.Limits;
import dev.anvil.tftp.policy.Negotiation;
import dev.anvil.tftp.policy.ReadTransfer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TFTP listener: read requests arrive on port 69; each accepted transfer gets its own socket on an
 * ephemeral port (its TID) and runs on one of a few event-loop threads: thousands of transfers, no thread
 * each. Write requests are refused (ERROR 2): Anvil serves boot files, it does not collect them.
 */
public final class TftpServer implements Service {
  private static final Logger log = LoggerFactory.getLogger(TftpServer.class);

  private final TftpConfig cfg;
  private final TftpFiles files;
  private final Limits limits;
  private final TftpCounters counters = new TftpCounters();
  /** Clients (address and port: their TID) with a transfer running. */
  private final java.util.Set<InetSocketAddress> clients = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile State state = State.NEW;
  private EventLoopGroup group;
  private Channel channel;
  private Transport transport;

  public TftpServer(TftpConfig cfg, TftpFiles files) {
    this.cfg = cfg;
    this.files = files;
    this.limits = new Limits(cfg.maxBlksize(), cfg.maxWindowsize(), cfg.timeout(), cfg.retries());
    this.spinNanos = cfg.busyPoll().toNanos();
    this.lastPacket.set(System.nanoTime() - spinNanos - 1);
  }

  @Override
  public String name() {
    return "tftp";
  }

  @Override
  public synchronized void start() throws Exception {
    state = State.STARTING;
    transport = Transport.detect();
    group = spinNanos > 0 ? transport.group(Transport.cores(), () -> this::selectStrategy)
        : transport.group(Transport.cores());
    try {
      channel = bootstrap(new RequestHandler()).option(ChannelOption.SO_REUSEADDR, true)
          .bind(cfg.listen().toSocketAddress()).sync().channel();
    } catch (Exception e) {
      state = State.FAILED;
      Transport.shutdown(group);
      throw new IllegalStateException("cannot listen for TFTP on " + cfg.listen() + ": " + e.getMessage(), e);
    }
    warmUp();
    state = State.RUNNING;
    log.info("tftp listening on {}", cfg.listen());
  }

  /**
   * Optional bounded busy polling ({@code tftp.busyPollMicros}): for that long after the last packet of any
   * transfer, the event loops poll (epoll_wait with no timeout) instead of sleeping. A lock-step transfer is
   * one round trip per block, and a thread woken from sleep adds its wake-up latency to every block. Off by
   * default: in the QEMU lab the spinning loop took the CPU the booting VM needed and made its transfers
   * slower, not faster (doc/firmware-matrix.md).
   */
  private int selectStrategy(io.netty.util.IntSupplier selectNow, boolean hasTasks) throws Exception {
    if (hasTasks || System.nanoTime() - lastPacket.get() < spinNanos) {
      return selectNow.get();
    }
    return io.netty.channel.SelectStrategy.SELECT;
  }

  private final long spinNanos;
  private final java.util.concurrent.atomic.AtomicLong lastPacket = new java.util.concurrent.atomic.AtomicLong();

  private Bootstrap bootstrap(io.netty.channel.ChannelHandler handler) {
    return new Bootstrap().group(group)
        .channel(transport.datagram())
        // One datagram per wake-up: an ACK never comes in bursts, so a second recvmsg would only see EAGAIN.
        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048).maxMessagesPerRead(1))
        .option(ChannelOption.SO_SNDBUF, 1 << 20)
        .handler(handler);
  }

  /** Renders each generated file once, so the first booting machine does not wait for templates to compile. */
  private void warmUp() {
    for (String path : java.util.List.of("pxelinux.cfg/default", "grub/grub.cfg", "boot.ipxe",
        "nodes/02-00-00-00-00-00/boot.ipxe", "pxelinux.cfg/01-02-00-00-00-00-00")) {
      files.resolve(path, new Ipv4Address(0)).content().ifPresent(TftpContent::release);
    }
  }

  @Override
  public State state() {
    return state;
  }

  @Override
  public Map<String, Object> metrics() {
    return counters.snapshot();
  }

  @Override
  public synchronized void close() {
    if (state == State.NEW || state == State.STOPPED) {
      return;
    }
    state = State.STOPPING;
    if (channel != null) {
      channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    Transport.shutdown(group);
    files.close();
    state = State.STOPPED;
  }

  /** The port-69 socket: decodes requests and starts transfers. */
  private final class RequestHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
      counters.requests.increment();
      ByteBuf c = p.content();
      byte[] b = new byte[c.readableBytes()];
      c.getBytes(c.readerIndex(), b);
      try {
        TftpPacket packet = TftpCodec.decode(b);
        if (packet instanceof TftpPacket.Request r) {
          request(ctx, r, p.sender());
        }
        // Anything else sent to port 69 belongs to no transfer: ignored.
      } catch (MalformedPacketException e) {
        counters.malformed.increment();
      } catch (RuntimeException e) {
        counters.errors.increment();
        log.warn("tftp: failed on a request from {}", p.sender(), e);
      }
    }

    private void request(ChannelHandlerContext ctx, TftpPacket.Request r, InetSocketAddress from) {
      String mode = r.mode().toLowerCase(Locale.ROOT);
      if (r.write()) {
        error(ctx, from, TftpPacket.Error.ACCESS_VIOLATION, "uploads are disabled");
        return;
      }
      if (!mode.equals("octet") && !mode.equals("netascii")) {
        error(ctx, from, TftpPacket.Error.ILLEGAL_OPERATION, "mode " + r.mode() + " is not supported");
        return;
      }
      if (!clients.add(from)) {
        // The client repeated its request (its first answer was slow): the running transfer serves it.
        counters.duplicates.increment();
        return;
      }
      if (counters.active.sum() >= cfg.maxTransfers()) {
        clients.remove(from);
        error(ctx, from, TftpPacket.Error.NOT_DEFINED, "server busy, try again");
        return;
      }
      Ipv4Address client = from.getAddress() instanceof Inet4Address a ? Ipv4Address.of(a) : new Ipv4Address(0);
      TftpFiles.Resolution res = files.resolve(r.filename(), client);
      if (res.content().isEmpty()) {
        clients.remove(from);
        counters.errors.increment();
        error(ctx, from, res.errorCode(), res.error());
        return;
      }
      TftpContent content = res.content().get();
      if (mode.equals("netascii")) {
        TftpContent converted = TftpContent.of(netascii(content.bytes()));
        content.release();
        content = converted;
      }
      ReadTransfer t = new ReadTransfer(Negotiation.of(r, content.size(), limits), content.size(), cfg.retries());
      counters.transfers.increment();
      counters.active.increment();
      TftpContent owned = content;
      InetSocketAddress local = new InetSocketAddress(cfg.listen().toSocketAddress().getAddress(), 0);
      // A connected socket: the kernel keeps the route, and only this client's packets reach the transfer.
      bootstrap(new TransferHandler(t, owned, from, counters, () -> {
            counters.active.decrement();
            clients.remove(from);
          },
          () -> lastPacket.lazySet(System.nanoTime()))).connect(from, local)
          .addListener(f -> {
            if (!f.isSuccess()) {
              counters.active.decrement();
              clients.remove(from);
              counters.failed.increment();
              owned.release();
              log.warn("tftp: cannot open a transfer socket: {}", f.cause().toString());
            }
          });
    }

    private void error(ChannelHandlerContext ctx, InetSocketAddress to, int code, String msg) {
      ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(TftpCodec.encode(new TftpPacket.Error(code, msg))),
          to));
    }
  }

  /** RFC 764 netascii: LF becomes CR LF, a bare CR becomes CR NUL. */
  static byte[] netascii(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 16);
    for (byte x : in) {
      if (x == '\n') {
        out.write('\r');
        out.write('\n');
      } else if (x == '\r') {
        out.write('\r');
        out.write(0);
      } else {
        out.write(x);
      }
    }
    return out.toByteArray();
  }
}
