package dev.anvil.dns.server;

import dev.anvil.config.HostPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Passes queries for names outside Anvil's zones to upstream resolvers over UDP and the answers back
 * unchanged but for the message ID. Each query goes out from its own socket on a fresh ephemeral port with a
 * random ID from {@link SecureRandom}, and an answer is taken only when it comes from the upstream it was sent
 * to, with that ID and the same question (RFC 5452: source port and ID both random, the question checked);
 * anything else is dropped and counted. At most {@code maxPending} queries are upstream at once (a client
 * flooding names outside the zones cannot grow memory or sockets without bound); beyond that, and when the
 * upstream does not answer in time, the client gets SERVFAIL at once. Used only for clients the configuration
 * allows.
 */
final class DnsForwarder {
    /** Queries upstream at once by default (unbound's outgoing-range is of this order). */
    static final int MAX_PENDING = 256;

    private final List<InetSocketAddress> upstreams;
    private final int timeoutMillis;
    private final int maxPending;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger next = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final DnsCounters counters;
    private EventLoopGroup group;
    private Class<? extends io.netty.channel.socket.DatagramChannel> type;
    private volatile boolean closed;

    DnsForwarder(List<HostPort> upstreams, int timeoutMillis, int maxPending, DnsCounters counters) {
        this.upstreams = upstreams.stream().map(HostPort::toSocketAddress).toList();
        this.timeoutMillis = timeoutMillis;
        this.maxPending = maxPending;
        this.counters = counters;
    }

    void start(EventLoopGroup group, Class<? extends io.netty.channel.socket.DatagramChannel> type) {
        this.group = group;
        this.type = type;
    }

    void close() {
        closed = true;
        for (Channel c : open) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Queries upstream now. */
    int inFlight() {
        return inFlight.get();
    }

    /** Sends the query upstream; {@code reply} gets the answer, or SERVFAIL (timeout, overload, no socket). */
    void forward(byte[] query, Consumer<byte[]> reply) {
        if (query.length < 12) {
            return; // not a DNS message: the server counted and dropped it before, nothing to answer
        }
        if (closed || questionEnd(query) < 0) {
            reply.accept(servfail(query));
            return;
        }
        if (inFlight.incrementAndGet() > maxPending) {
            inFlight.decrementAndGet();
            counters.forwardOverload.increment();
            reply.accept(servfail(query));
            return;
        }
        counters.forwarded.increment();
        int id = random.nextInt(0x10000);
        byte[] out = query.clone();
        out[0] = (byte) (id >>> 8);
        out[1] = (byte) id;
        InetSocketAddress up = upstreams.get(Math.floorMod(next.getAndIncrement(), upstreams.size()));
        AtomicBoolean done = new AtomicBoolean();
        new Bootstrap()
                .group(group)
                .channel(type)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        byte[] b = new byte[p.content().readableBytes()];
                        p.content().getBytes(p.content().readerIndex(), b);
                        if (!up.equals(p.sender()) || !answers(b, out)) {
                            counters.forwardDropped
                                    .increment(); // not from that upstream, or not the answer to this question
                            return;
                        }
                        if (done.compareAndSet(false, true)) {
                            b[0] = query[0];
                            b[1] = query[1];
                            finish(ctx.channel());
                            reply.accept(b);
                        }
                    }
                })
                .bind(new InetSocketAddress(0))
                .addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        if (done.compareAndSet(false, true)) {
                            finish(f.channel());
                            counters.errors.increment();
                            reply.accept(servfail(query));
                        }
                        return;
                    }
                    Channel ch = f.channel();
                    open.add(ch);
                    ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(out), up));
                    ch.eventLoop()
                            .schedule(
                                    () -> {
                                        if (done.compareAndSet(false, true)) {
                                            finish(ch);
                                            counters.forwardTimeouts.increment();
                                            reply.accept(servfail(query));
                                        }
                                    },
                                    timeoutMillis,
                                    TimeUnit.MILLISECONDS);
                });
    }

    private void finish(Channel ch) {
        inFlight.decrementAndGet();
        if (ch != null) {
            open.remove(ch);
            ch.close();
        }
    }

    /** The answer has the ID we sent, QR set, one question, and that question is ours (names compared without case). */
    static boolean answers(byte[] answer, byte[] sent) {
        if (answer.length < 12 || answer[0] != sent[0] || answer[1] != sent[1] || (answer[2] & 0x80) == 0) {
            return false;
        }
        if (answer[4] != 0 || answer[5] != 1) {
            return false;
        }
        int end = questionEnd(sent);
        if (end < 0 || answer.length < end) {
            return false;
        }
        for (int i = 12; i < end; i++) {
            if (Character.toLowerCase((char) (answer[i] & 0xff)) != Character.toLowerCase((char) (sent[i] & 0xff))) {
                return false;
            }
        }
        return true;
    }

    /** The offset after the first question (name, type, class), or -1 when the message has none that fits. */
    static int questionEnd(byte[] m) {
        if (m.length < 12 || m[4] != 0 || m[5] != 1) {
            return -1;
        }
        int i = 12;
        while (i < m.length && m[i] != 0) {
            if ((m[i] & 0xc0) != 0) {
                return -1; // a compression pointer has no place in a query's first name
            }
            i += (m[i] & 0xff) + 1;
        }
        return i + 5 <= m.length ? i + 5 : -1;
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
