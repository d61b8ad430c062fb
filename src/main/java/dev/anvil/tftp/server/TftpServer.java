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
import dev.anvil.tftp.policy.WriteTransfer;
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
 * each. Write requests are refused (ERROR 2) except into the configured upload directories
 * ({@code tftp.uploadDirs}), where an upload becomes visible only once complete.
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
  /** Syncs and links completed uploads, off the event loops. */
  private java.util.concurrent.ExecutorService commits;

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
    commits = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tftp-uploads");
      t.setDaemon(true);
      return t;
    });
    group = spinNanos > 0 ? transport.group(Transport.cores(), () -> this::selectStrategy)
        : transport.group(Transport.cores());
    try {
      // No SO_REUSEADDR: with it a second daemon could bind the same UDP port and take the first one's requests.
      channel = bootstrap(new RequestHandler()).bind(cfg.listen().toSocketAddress()).sync().channel();
    } catch (Exception e) {
      state = State.FAILED;
      Transport.shutdown(group);
      commits.shutdown();
      throw new IllegalStateException("cannot listen for TFTP on " + cfg.listen() + ": " + Transport.bindFailure(e),
          e);
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
    commits.shutdown();
    try {
      commits.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
      if (r.write()) {
        upload(ctx, r, from, client, mode.equals("netascii"));
        return;
      }
      TftpFiles.Resolution res = files.resolve(r.filename(), client);
      if (res.content().isEmpty()) {
        refuse(ctx, from, res.errorCode(), res.error());
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
      TftpContent owned = content;
      open(from, new TransferHandler(t, owned, from, counters, () -> ended(from),
          () -> lastPacket.lazySet(System.nanoTime())), owned::release);
    }

    /** A write request: only into an upload directory, never over an existing file unless allowed. */
    private void upload(ChannelHandlerContext ctx, TftpPacket.Request r, InetSocketAddress from, Ipv4Address client,
        boolean netascii) {
      TftpFiles.UploadTarget target = files.resolveUpload(r.filename(), client);
      if (target.path().isEmpty()) {
        refuse(ctx, from, target.errorCode(), target.error());
        return;
      }
      java.nio.file.Path path = target.path().get();
      if (!cfg.uploadOverwrite() && java.nio.file.Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        refuse(ctx, from, TftpPacket.Error.FILE_EXISTS, "file already exists");
        return;
      }
      long tsize = r.option("tsize").filter(v -> v.matches("[0-9]{1,18}")).map(Long::parseLong).orElse(-1L);
      if (tsize > cfg.maxUploadBytes()) {
        refuse(ctx, from, TftpPacket.Error.DISK_FULL, "file larger than " + cfg.maxUploadBytes() + " bytes");
        return;
      }
      UploadFile file;
      try {
        file = UploadFile.create(path, cfg.uploadOverwrite(), netascii, cfg.maxUploadBytes());
      } catch (java.io.IOException e) {
        log.warn("tftp: cannot create an upload in {}: {}", path.getParent(), e.toString());
        refuse(ctx, from, TftpPacket.Error.ACCESS_VIOLATION, "cannot create the file");
        return;
      }
      WriteTransfer t = new WriteTransfer(Negotiation.of(r, tsize, limits), cfg.retries());
      counters.uploads.increment();
      open(from, new UploadHandler(t, file, from, counters, commits, () -> ended(from)), file::close);
    }

    /** Starts a transfer on its own connected socket: its TID, and only this client's packets reach it. */
    private void open(InetSocketAddress from, io.netty.channel.ChannelHandler handler, Runnable onFail) {
      counters.active.increment();
      InetSocketAddress local = new InetSocketAddress(cfg.listen().toSocketAddress().getAddress(), 0);
      bootstrap(handler).connect(from, local).addListener(f -> {
        if (!f.isSuccess()) {
          ended(from);
          counters.failed.increment();
          onFail.run();
          log.warn("tftp: cannot open a transfer socket: {}", f.cause().toString());
        }
      });
    }

    private void ended(InetSocketAddress from) {
      counters.active.decrement();
      clients.remove(from);
    }

    private void refuse(ChannelHandlerContext ctx, InetSocketAddress from, int code, String msg) {
      clients.remove(from);
      counters.errors.increment();
      error(ctx, from, code, msg);
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
