package dev.anvil.dns.server;

import dev.anvil.config.DnsConfig;
import dev.anvil.config.HostPort;
import dev.anvil.dns.policy.DnsResponder;
import dev.anvil.dns.policy.FastPath;
import dev.anvil.dns.policy.LiveZones;
import dev.anvil.lifecycle.Service;
import dev.anvil.lifecycle.Transport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Authoritative DNS over UDP and TCP (length-prefixed, several queries per connection, 30 s idle timeout).
 * What does not parse gets FORMERR when its header is whole (else it is dropped silently); both are counted. A
 * query that parses but cannot be served gets FORMERR or NOTIMP. AXFR goes
 * over TCP to the configured secondaries only, who are sent NOTIFY whenever the serial moves on (at most once a
 * second, see {@link DnsZones}).
 *
 * <p>Size: over 300 lines because UDP, TCP, AXFR and NOTIFY share the listener's lifecycle and counters.
 */
public final class DnsServer implements Service, MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

    private final DnsConfig cfg;
    private final DnsZones zones;
    private final DnsResponder responder;
    private final FastPath fast;
    private final DnsCounters counters = new DnsCounters();
    private volatile State state = State.NEW;
    private EventLoopGroup group;
    private final List<Channel> udp = new ArrayList<>();
    private Channel tcp;

    private final java.util.function.Predicate<InetAddress> mayForward;
    private DnsForwarder forwarder;

    /** {@code mayForward}: which clients may have names outside Anvil's zones resolved by the forwarders. */
    public DnsServer(DnsConfig cfg, DnsZones zones, java.util.function.Predicate<InetAddress> mayForward) {
        this.cfg = cfg;
        this.zones = zones;
        this.mayForward = mayForward;
        this.responder = new DnsResponder(cfg.udpPayload());
        this.fast = new FastPath(cfg.udpPayload());
    }

    @Override
    public String name() {
        return "dns";
    }

    @Override
    public synchronized void start() throws Exception {
        state = State.STARTING;
        if (zones.current() == null) {
            zones.rebuild(); // every node and network: after DHCP is up (the services start in that order)
        }
        Transport t = Transport.detect();
        boolean epoll = t.epoll();
        int loops = Transport.cores();
        group = t.group(loops);
        InetSocketAddress at = cfg.listen().toSocketAddress();
        try {
            // With epoll, one UDP socket per event loop on the same port (SO_REUSEPORT: the kernel spreads the
            // queries), each reading batches with recvmmsg and answering with sendmmsg.
            for (int i = 0; i < (epoll ? loops : 1); i++) {
                Bootstrap b = new Bootstrap()
                        .group(group)
                        .channel(t.datagram())
                        .option(ChannelOption.SO_RCVBUF, 4 << 20)
                        .handler(new UdpHandler());
                if (epoll) {
                    b.option(io.netty.channel.epoll.EpollChannelOption.SO_REUSEPORT, true)
                            .option(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 4096)
                            .option(
                                    ChannelOption.RCVBUF_ALLOCATOR,
                                    new io.netty.channel.FixedRecvByteBufAllocator(16 * 4096));
                }
                udp.add(b.bind(at).sync().channel());
            }
            tcp = new ServerBootstrap()
                    .group(group)
                    .channel(t.server())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new IdleStateHandler(0, 0, 30, TimeUnit.SECONDS))
                                    .addLast(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2))
                                    .addLast(new LengthFieldPrepender(2))
                                    .addLast(new TcpHandler());
                        }
                    })
                    .bind(at)
                    .sync()
                    .channel();
        } catch (Exception e) {
            state = State.FAILED;
            closeChannels();
            throw new IllegalStateException("cannot listen for DNS on " + cfg.listen() + ": " + e.getMessage(), e);
        }
        if (!cfg.forwarders().isEmpty()) {
            forwarder =
                    new DnsForwarder(cfg.forwarders(), cfg.forwardTimeoutMillis(), DnsForwarder.MAX_PENDING, counters);
            forwarder.start(group, t.datagram());
        }
        zones.onChange(this::notifySecondaries);
        EventLoopGroup timerLoops = group;
        zones.scheduler((delay, task) -> timerLoops.schedule(task, delay, TimeUnit.MILLISECONDS));
        state = State.RUNNING;
        log.info(
                "dns listening on {} (udp, tcp), zones {}",
                cfg.listen(),
                zones.current().zones());
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = counters.snapshot();
        m.put("serial", zones.current() == null ? 0 : zones.current().serial());
        m.put("nodeVersion", zones.version());
        return m;
    }

    /** The query counters, the answer-time histograms and the zones' serial as {@code anvil_dns_*}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        counters.bindTo(registry);
        Gauge.builder(
                        "anvil.dns.zone.serial",
                        zones,
                        z -> z.current() == null ? 0 : z.current().serial())
                .description("the SOA serial of Anvil's zones")
                .register(registry);
    }

    @Override
    public synchronized void close() {
        if (state == State.NEW || state == State.STOPPED) {
            return;
        }
        state = State.STOPPING;
        closeChannels();
        state = State.STOPPED;
    }

    private void closeChannels() {
        if (forwarder != null) {
            forwarder.close();
        }
        List<Channel> all = new ArrayList<>(udp);
        all.add(tcp);
        for (Channel c : all) {
            if (c != null) {
                c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        udp.clear();
        Transport.shutdown(group);
    }

    /**
     * Parses a message. What dnsjava cannot read is counted ({@code malformed}) and yields nothing; when its
     * header is whole and it is no response, {@code formerr} is handed the FORMERR to send back.
     */
    private Optional<Message> parse(byte[] b, java.util.function.Consumer<byte[]> formerr) {
        try {
            return Optional.of(new Message(b));
        } catch (IOException | RuntimeException e) {
            counters.malformed.increment();
            responder.formerr(b, b.length).ifPresent(r -> {
                counters.formerr.increment();
                formerr.accept(r);
            });
            return Optional.empty();
        }
    }

    private void count(Message r) {
        switch (r.getRcode()) {
            case Rcode.NOERROR -> counters.noerror.increment();
            case Rcode.NXDOMAIN -> counters.nxdomain.increment();
            case Rcode.REFUSED -> counters.refused.increment();
            case Rcode.FORMERR -> counters.formerr.increment();
            default -> counters.otherRcode.increment();
        }
    }

    /** One per UDP socket, on its event loop. */
    private final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        /** When the read batch in hand was read (System.nanoTime; 0 between batches), and its answers so far. */
        private long batchReadAt;

        private int batchAnswers;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            counters.udp.increment();
            if (batchReadAt == 0) {
                batchReadAt = System.nanoTime(); // the batch came with one recvmmsg: one clock read for all of it
            }
            ByteBuf content = p.content();
            byte[] bytes = new byte[content.readableBytes()];
            content.getBytes(content.readerIndex(), bytes);
            Optional<byte[]> quick = fast.answer(bytes, bytes.length, zones.current(), true);
            if (quick.isPresent()) {
                counters.noerror.increment();
                batchAnswers++;
                ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(quick.get()), p.sender()));
                return;
            }
            Optional<Message> q = parse(bytes, r -> {
                batchAnswers++;
                ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(r), p.sender()));
            });
            if (q.isEmpty()) {
                return;
            }
            try {
                Optional<Message> r = responder.respond(q.get(), zones.current());
                if (r.isEmpty()) {
                    return;
                }
                if (forwardable(r.get(), p.sender().getAddress())) {
                    InetSocketAddress to = p.sender();
                    Channel ch = ctx.channel();
                    forwarder.forward(
                            bytes, answer -> ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(answer), to)));
                    return;
                }
                count(r.get());
                byte[] wire = r.get().toWire(responder.maxUdpSize(q.get()));
                if (r.get().getHeader().getFlag(Flags.TC) || wire.length > 2 && (wire[2] & 0x02) != 0) {
                    counters.truncated.increment();
                }
                batchAnswers++;
                ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(wire), p.sender()));
            } catch (RuntimeException e) {
                counters.errors.increment();
                log.debug("dns: failed on a query from {}", p.sender(), e);
            }
        }

        /** Answers go out together at the end of each read batch (one sendmmsg): each took the batch's time. */
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (batchAnswers > 0) {
                counters.answeredUdp(batchAnswers, System.nanoTime() - batchReadAt);
            }
            batchAnswers = 0;
            batchReadAt = 0;
        }
    }

    private final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            counters.tcp.increment();
            long readAt = System.nanoTime();
            byte[] bytes = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), bytes);
            Optional<byte[]> quick = fast.answer(bytes, bytes.length, zones.current(), false);
            if (quick.isPresent()) {
                counters.noerror.increment();
                ctx.writeAndFlush(Unpooled.wrappedBuffer(quick.get()));
                counters.answeredTcp(System.nanoTime() - readAt);
                return;
            }
            boolean[] answered = {false};
            Optional<Message> q = parse(bytes, r -> {
                answered[0] = true;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(r));
            });
            if (q.isEmpty()) {
                if (!answered[0]) {
                    ctx.close();
                }
                return;
            }
            Record question = q.get().getQuestion();
            if (question != null
                    && question.getType() == Type.AXFR
                    && !q.get().getHeader().getFlag(Flags.QR)
                    && responder.ednsError(q.get()).isEmpty()) {
                axfr(ctx, q.get(), question);
                return;
            }
            Optional<Message> r = responder.respond(q.get(), zones.current());
            if (r.isPresent()
                    && forwardable(r.get(), ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress())) {
                forwarder.forward(bytes, answer -> ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)));
                return;
            }
            r.ifPresent(m -> {
                count(m);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(m.toWire()));
                counters.answeredTcp(System.nanoTime() - readAt);
            });
        }

        private void axfr(ChannelHandlerContext ctx, Message q, Record question) {
            LiveZones snap = zones.current(); // zoneContents is one state: taken under the writers' lock
            InetAddress peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
            Name zone = question.getName().canonicalize();
            boolean allowed = cfg.secondaries().stream().anyMatch(s -> sameHost(s, peer));
            if (!allowed || !snap.zones().contains(zone)) {
                counters.axfrRefused.increment();
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.addRecord(question, Section.QUESTION);
                r.getHeader().setRcode(Rcode.REFUSED);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(r.toWire()));
                return;
            }
            counters.axfr.increment();
            List<RRset> sets = new ArrayList<>(snap.zoneContents(zone));
            sets.add(sets.get(0)); // RFC 5936 §2.2: the SOA opens and closes the transfer
            Message m = null;
            int records = 0;
            for (RRset s : sets) {
                for (Record rec : s.rrs(false)) {
                    if (m == null || records >= 200) {
                        if (m != null) {
                            ctx.write(Unpooled.wrappedBuffer(m.toWire()));
                        }
                        m = new Message(q.getHeader().getID());
                        m.getHeader().setFlag(Flags.QR);
                        m.getHeader().setFlag(Flags.AA);
                        m.addRecord(question, Section.QUESTION);
                        records = 0;
                    }
                    m.addRecord(rec, Section.ANSWER);
                    records++;
                }
            }
            ctx.writeAndFlush(Unpooled.wrappedBuffer(m.toWire()));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            counters.errors.increment();
            ctx.close();
        }
    }

    /** Outside Anvil's zones (REFUSED without AA), forwarders configured, and a client allowed to use them. */
    private boolean forwardable(Message r, InetAddress client) {
        return forwarder != null
                && r.getRcode() == Rcode.REFUSED
                && !r.getHeader().getFlag(Flags.AA)
                && mayForward.test(client);
    }

    private static boolean sameHost(HostPort s, InetAddress a) {
        try {
            return InetAddress.getByName(s.host()).equals(a);
        } catch (IOException e) {
            log.warn("dns: the secondary {} does not resolve ({}): its zone transfers are refused", s, e.toString());
            return false;
        }
    }

    /** RFC 1996: tell the secondaries each zone changed, so they transfer it at once. */
    private void notifySecondaries() {
        if (state != State.RUNNING || cfg.secondaries().isEmpty()) {
            return;
        }
        for (Name zone : zones.current().zones()) {
            Message n = Message.newQuery(Record.newRecord(zone, Type.SOA, DClass.IN));
            n.getHeader().setOpcode(Opcode.NOTIFY);
            n.getHeader().setFlag(Flags.AA);
            n.getHeader().unsetFlag(Flags.RD);
            byte[] wire = n.toWire();
            for (HostPort s : cfg.secondaries()) {
                udp.get(0).writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(wire), s.toSocketAddress()));
                counters.notifies.increment();
            }
        }
    }
}
