package dev.anvil.dns.server;

import dev.anvil.config.HostPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Passes queries for names outside Anvil's zones to upstream resolvers over UDP and the answers back
 * unchanged (only the message ID is swapped, so upstream IDs are Anvil's own random ones). A query the
 * upstream does not answer in time gets SERVFAIL. Used only for clients the configuration allows.
 */
final class DnsForwarder {
  private record Pending(int originalId, Consumer<byte[]> reply, byte[] query) {}

  private final List<InetSocketAddress> upstreams;
  private final int timeoutMillis;
  private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();
  private final DnsCounters counters;
  private Channel channel;

  DnsForwarder(List<HostPort> upstreams, int timeoutMillis, DnsCounters counters) {
    this.upstreams = upstreams.stream().map(HostPort::toSocketAddress).toList();
    this.timeoutMillis = timeoutMillis;
    this.counters = counters;
  }

  void start(EventLoopGroup group, Class<? extends io.netty.channel.socket.DatagramChannel> type)
      throws InterruptedException {
    channel = new Bootstrap().group(group).channel(type).handler(new SimpleChannelInboundHandler<DatagramPacket>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
        if (fromUpstream(p.sender())) {
          answered(p.content());
        }
      }
    }).bind(new InetSocketAddress(0)).sync().channel();
  }

  void close() {
    if (channel != null) {
      channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /** Sends the query upstream; {@code reply} gets the answer, or SERVFAIL after the timeout. */
  void forward(byte[] query, Consumer<byte[]> reply) {
    int id;
    do {
      id = ThreadLocalRandom.current().nextInt(0x10000);
    } while (pending.putIfAbsent(id, new Pending(((query[0] & 0xff) << 8) | (query[1] & 0xff), reply, query))
        != null);
    counters.forwarded.increment();
    byte[] out = query.clone();
    out[0] = (byte) (id >>> 8);
    out[1] = (byte) id;
    InetSocketAddress up = upstreams.get(Math.floorMod(next.getAndIncrement(), upstreams.size()));
    channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(out), up));
    int key = id;
    channel.eventLoop().schedule(() -> {
      Pending p = pending.remove(key);
      if (p != null) {
        counters.forwardTimeouts.increment();
        p.reply().accept(servfail(p.query()));
      }
    }, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Answers count only from a configured upstream address and port (no spoofed replies from elsewhere). */
  private boolean fromUpstream(InetSocketAddress sender) {
    for (InetSocketAddress a : upstreams) {
      if (a.getPort() == sender.getPort() && a.getAddress() != null && a.getAddress().equals(sender.getAddress())) {
        return true;
      }
    }
    return false;
  }

  private void answered(ByteBuf content) {
    if (content.readableBytes() < 12) {
      return;
    }
    byte[] b = new byte[content.readableBytes()];
    content.getBytes(content.readerIndex(), b);
    Pending p = pending.remove(((b[0] & 0xff) << 8) | (b[1] & 0xff));
    if (p == null) {
      return; // late, or not ours
    }
    b[0] = (byte) (p.originalId() >>> 8);
    b[1] = (byte) p.originalId();
    p.reply().accept(b);
  }

  /** The query turned into a SERVFAIL answer: header flags QR and RD kept, question kept, no records. */
  static byte[] servfail(byte[] q) {
    int end = 12;
    while (end < q.length && q[end] != 0) {
      end += (q[end] & 0xff) + 1;
    }
    end = Math.min(q.length, end + 5);
    byte[] r = java.util.Arrays.copyOf(q, end);
    r[2] = (byte) (0x80 | (q[2] & 0x01));
    r[3] = 2; // SERVFAIL
    r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;
    return r;
  }
}
