package dev.anvil.dhcp.server;

import dev.anvil.config.DhcpConfig;
import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.timeline.Timeline;
import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MalformedPacketException;
import dev.anvil.dhcp.codec.MessageType;
import dev.anvil.dhcp.lease.LeaseBook;
import dev.anvil.dhcp.policy.Decision;
import dev.anvil.dhcp.policy.DhcpResponder;
import dev.anvil.lifecycle.LogThrottle;
import dev.anvil.store.LeaseStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-packet work on the DHCP thread: decode, pick the network (RFC 2131 §4.3.1: giaddr, else ciaddr, else
 * the receiving interface), ask the policy, record the lease, and send the reply where §4.1 says. Replies
 * are held until the read batch ends; then, if the batch wrote leases, they are committed to the journal in
 * one call (written, then synced to the disk by the journal's sync thread, one sync for every batch that
 * waits) and the replies leave once the sync is done, back on this thread: no ACK leaves before its lease is
 * on the disk, and this thread reads on meanwhile. A batch that wrote nothing (offers, NAKs) is sent at once.
 * One bad packet is counted and dropped; nothing it contains can stop the listener.
 *
 * <p>Size: over 300 lines because the packet thread's whole path (network choice, policy call, lease write, group
 * commit, reply routing) kept together so its ordering rules can be read in one place.
 */
final class DhcpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(DhcpHandler.class);
    private static final Ipv4Address BROADCAST = Ipv4Address.parse("255.255.255.255");

    private final DhcpConfig cfg;
    private final DhcpServer.Interface iface;
    private final boolean bootServer;
    private final NetworkCatalog networks;
    private final NodeDirectory nodes;
    private final DhcpResponder responder;
    private final LeaseBook book;
    private final LeaseStore leaseStore;
    private final Clock clock;
    private final DhcpCounters counters;
    private final List<Held> held = new ArrayList<>();
    /** When the read batch in hand was read (System.nanoTime), 0 between batches: its replies' start. */
    private long batchReadAt;
    /** Whether the replies held now follow a lease written to the journal (they wait for its sync). */
    private boolean heldWrote;

    private final java.util.concurrent.Executor probes;
    /** Null unless several instances share the pools (doc/scale-out.md). */
    private final PoolSharing sharing;

    private final Timeline timeline;
    private final LogThrottle errorLog = new LogThrottle(java.time.Duration.ofSeconds(10));
    /** One line a minute per cause ({@link Decision#missingLoader}: architecture and vendor class), 64 causes kept. */
    private final java.util.Map<String, LogThrottle> missingLoaderLog =
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, LogThrottle> eldest) {
                    return size() > 64;
                }
            });

    DhcpHandler(
            DhcpConfig cfg,
            DhcpServer.Interface iface,
            boolean bootServer,
            NetworkCatalog networks,
            NodeDirectory nodes,
            DhcpResponder responder,
            LeaseBook book,
            LeaseStore leaseStore,
            Clock clock,
            DhcpCounters counters,
            java.util.concurrent.Executor probes,
            Timeline timeline,
            PoolSharing sharing) {
        this.sharing = sharing;
        this.probes = probes;
        this.timeline = timeline;
        this.cfg = cfg;
        this.iface = iface;
        this.bootServer = bootServer;
        this.networks = networks;
        this.nodes = nodes;
        this.responder = responder;
        this.book = book;
        this.leaseStore = leaseStore;
        this.clock = clock;
        this.counters = counters;
    }

    /** Where a datagram is copied to be decoded (the channel reads at most 1500 bytes with epoll, 2048 without). */
    private final byte[] scratch = new byte[2048];

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        counters.received.increment();
        if (batchReadAt == 0) {
            batchReadAt = System.nanoTime(); // one batch came in with one recvmmsg: one clock read for all of it
        }
        ByteBuf content = packet.content();
        int len = content.readableBytes();
        // one channel, one event loop, one handler: the scratch array is this thread's, and decoding copies out
        // everything the packet keeps
        byte[] bytes = len <= scratch.length ? scratch : new byte[len];
        content.getBytes(content.readerIndex(), bytes, 0, len);
        DhcpPacket req;
        try {
            req = DhcpCodec.decode(bytes, 0, len);
        } catch (MalformedPacketException e) {
            counters.malformed.increment();
            return;
        }
        counters.request(req.options().messageTypeCode().orElse(0));
        try {
            handle(ctx, req, packet.sender(), 0, batchReadAt);
        } catch (RuntimeException e) {
            counters.errors.increment();
            long quiet = errorLog.permit(System.nanoTime());
            if (quiet >= 0) {
                log.warn(
                        "dhcp: failed on a packet from {} ({}); dropped ({} more since the last line)",
                        packet.sender(),
                        req,
                        quiet,
                        e);
            }
        }
    }

    /** {@code readAt}: when the request was read (System.nanoTime), where its reply time starts. */
    private void handle(ChannelHandlerContext ctx, DhcpPacket req, InetSocketAddress sender, int attempt, long readAt) {
        Optional<Network> net = network(req);
        if (net.isEmpty()) {
            counters.noNetwork.increment();
            return;
        }
        Optional<Ipv4Address> sid = serverId(net.get());
        if (sid.isEmpty()) {
            counters.noServerId.increment();
            return;
        }
        Optional<dev.anvil.core.node.Node> node = req.mac().flatMap(nodes::byMac);
        DhcpResponder.Context dc = new DhcpResponder.Context(net.get(), sid.get(), node, book, clock.instant());
        Decision d = bootServer ? responder.respondBootServer(req, dc) : responder.respond(req, dc);
        if (node.isPresent() && timeline.enabled()) {
            DhcpTimeline.note(timeline, req, d, node.get().id(), bootServer ? cfg.bootServerPort() : 0);
        }
        d.missingLoader().ifPresent(why -> logMissingLoader(req, node, why));
        if (shouldProbe(d, node.isPresent(), attempt)) {
            probeThenOffer(ctx, req, sender, d, attempt, readAt);
            return;
        }
        Optional<byte[]> wire = d.reply().flatMap(r -> DhcpCodec.encodeReply(r, DhcpCodec.replyLimit(req.options())));
        if (d.reply().isPresent() && wire.isEmpty()) {
            // Options the request had us echo (relay agent information, a client UUID) leave no room: dropped,
            // and nothing recorded.
            counters.tooLarge.increment();
            log.debug("dhcp: the reply to {} does not fit {} bytes; dropped", req, DhcpCodec.replyLimit(req.options()));
            return;
        }
        if (d.lease().isPresent()) {
            Lease l = d.lease().get();
            book.put(l);
            if (l.state() != Lease.State.OFFERED) {
                leaseStore.write(l);
                heldWrote = true;
                if (sharing != null) {
                    sharing.record(l);
                }
            }
            if (l.state() == Lease.State.DECLINED) {
                counters.declines.increment();
            } else if (l.state() == Lease.State.RELEASED) {
                counters.releases.increment();
            }
        }
        // Several instances share the pool: a refill when few claimed addresses are left (after the offer took one).
        if (sharing != null
                && node.isEmpty()
                && req.options().messageType().equals(Optional.of(MessageType.DISCOVER))) {
            sharing.afterDiscover(book, net.get().name());
        }
        if (d.reply().isEmpty()) {
            if (d.lease().isEmpty()) {
                counters.ignored.increment();
            }
            return;
        }
        MessageType type = d.replyType().orElseThrow();
        switch (type) {
            case OFFER -> counters.offers.increment();
            case ACK -> counters.acks.increment();
            case NAK -> counters.naks.increment();
            default -> {}
        }
        // A boot server (4011) answer goes back where the request came from (PXE 2.1 §2.2.3).
        held.add(new Held(
                new DatagramPacket(Unpooled.wrappedBuffer(wire.get()), bootServer ? sender : destination(req, type)),
                type,
                readAt));
    }

    /** A network-boot client Anvil has no loader for: one line per cause a minute, naming the client. */
    private void logMissingLoader(DhcpPacket req, Optional<dev.anvil.core.node.Node> node, String why) {
        long quiet = missingLoaderLog
                .computeIfAbsent(why, k -> new LogThrottle(java.time.Duration.ofMinutes(1)))
                .permit(System.nanoTime());
        if (quiet >= 0) {
            log.warn(
                    "dhcp: {}{}: {}{}",
                    req.mac().map(Object::toString).orElse("?"),
                    node.map(n -> " (node " + n.name() + ")").orElse(""),
                    why,
                    quiet == 0 ? "" : " (" + quiet + " more since the last line)");
        }
    }

    /** Pool offers are pinged first when {@code dhcp.pingCheckMillis} is set (at most three addresses in turn). */
    private boolean shouldProbe(Decision d, boolean knownNode, int attempt) {
        return probes != null
                && !knownNode
                && attempt < 3
                && d.replyType().equals(Optional.of(MessageType.OFFER))
                && d.lease().isPresent();
    }

    /**
     * Holds the offered address, pings it off the packet thread, then back on it: if something answered, the
     * address is quarantined like a declined one and the request is decided again; else the offer goes out.
     */
    private void probeThenOffer(
            ChannelHandlerContext ctx, DhcpPacket req, InetSocketAddress sender, Decision d, int attempt, long readAt) {
        Lease offer = d.lease().orElseThrow();
        book.put(offer);
        counters.probes.increment();
        long timeout = cfg.pingCheck().orElseThrow().toMillis();
        probes.execute(() -> {
            boolean alive;
            try {
                alive = offer.ip().toInetAddress().isReachable((int) timeout);
            } catch (java.io.IOException e) {
                // No probe could be sent: offer it as if nothing answered (the check is a courtesy), but count it.
                counters.pingErrors.increment();
                log.debug("dhcp: cannot ping {} before offering it: {}", offer.ip(), e.toString());
                alive = false;
            }
            boolean inUse = alive;
            if (ctx.channel().eventLoop().isShuttingDown()) {
                return; // the server is stopping: the client will ask again
            }
            ctx.channel().eventLoop().execute(() -> {
                try {
                    if (inUse) {
                        counters.conflicts.increment();
                        log.warn("dhcp: {} answers ping but is not leased; quarantined", offer.ip());
                        Lease q = new Lease(
                                offer.ip(),
                                new dev.anvil.core.node.MacAddress(0),
                                offer.network(),
                                clock.instant().plus(cfg.leaseTime()),
                                Lease.State.DECLINED);
                        book.put(q);
                        leaseStore.write(q);
                        heldWrote = true;
                        if (sharing != null) {
                            sharing.record(q);
                        }
                        handle(ctx, req, sender, attempt + 1, readAt);
                    } else {
                        Optional<byte[]> wire =
                                DhcpCodec.encodeReply(d.reply().orElseThrow(), DhcpCodec.replyLimit(req.options()));
                        if (wire.isPresent()) {
                            counters.offers.increment();
                            held.add(new Held(
                                    new DatagramPacket(
                                            Unpooled.wrappedBuffer(wire.get()), destination(req, MessageType.OFFER)),
                                    MessageType.OFFER,
                                    readAt));
                        } else {
                            counters.tooLarge.increment();
                        }
                    }
                    channelReadComplete(ctx);
                } catch (RuntimeException e) {
                    counters.errors.increment();
                    log.warn("dhcp: failed after probing {}", offer.ip(), e);
                }
            });
        });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        batchReadAt = 0;
        if (held.isEmpty()) {
            return;
        }
        List<Held> batch = new ArrayList<>(held);
        held.clear();
        boolean wrote = heldWrote;
        heldWrote = false;
        if (!wrote) {
            send(ctx, batch);
            return;
        }
        try {
            leaseStore.commit(
                    () -> onLoop(ctx, batch, () -> send(ctx, batch)),
                    e -> onLoop(ctx, batch, () -> withhold(batch, e)));
        } catch (RuntimeException e) {
            withhold(batch, e);
        }
    }

    /** Runs {@code task} on the channel's thread; if that has stopped, the replies are released unsent. */
    private static void onLoop(ChannelHandlerContext ctx, List<Held> batch, Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            batch.forEach(Held::release); // the server is stopping: the clients will ask again
        }
    }

    private void send(ChannelHandlerContext ctx, List<Held> batch) {
        for (Held h : batch) {
            ctx.write(h.packet()).addListener(f -> {
                if (!f.isSuccess()) {
                    counters.errors.increment();
                }
            });
        }
        ctx.flush();
        long now = System.nanoTime();
        for (Held h : batch) {
            counters.replied(h.type(), now - h.readAt());
        }
    }

    /** The leases did not reach the disk: the replies must not go out. */
    private void withhold(List<Held> batch, RuntimeException e) {
        counters.errors.add(batch.size());
        log.error("dhcp: lease journal write or sync failed; {} replies withheld", batch.size(), e);
        batch.forEach(Held::release);
    }

    /** A reply waiting for the end of its batch (and the journal's sync), with its type and request's read time. */
    private record Held(DatagramPacket packet, MessageType type, long readAt) {
        void release() {
            packet.release();
        }
    }

    /** RFC 2131 §4.1 reply routing. */
    private InetSocketAddress destination(DhcpPacket req, MessageType type) {
        if (!req.giaddr().equals(DhcpPacket.ZERO_ADDRESS)) {
            return new InetSocketAddress(
                    req.giaddr().toInetAddress(), cfg.listen().port());
        }
        if (type != MessageType.NAK && !req.ciaddr().equals(DhcpPacket.ZERO_ADDRESS)) {
            return new InetSocketAddress(req.ciaddr().toInetAddress(), cfg.clientPort());
        }
        // No ARP entry can be made for yiaddr from a UDP socket, so address-less clients get a broadcast (allowed
        // by §4.1 when unicast is not possible); the socket's device binding picks the interface.
        return new InetSocketAddress(BROADCAST.toInetAddress(), cfg.clientPort());
    }

    /** The network the request belongs to: the relay's, else the client's current address's, else ours. */
    private Optional<Network> network(DhcpPacket req) {
        if (!req.giaddr().equals(DhcpPacket.ZERO_ADDRESS)) {
            return networks.containing(req.giaddr());
        }
        if (!req.ciaddr().equals(DhcpPacket.ZERO_ADDRESS)) {
            Optional<Network> n = networks.containing(req.ciaddr());
            if (n.isPresent()) {
                return n;
            }
        }
        for (Inet4Address a : iface.addresses()) {
            Optional<Network> n = networks.containing(Ipv4Address.of(a));
            if (n.isPresent()) {
                return n;
            }
        }
        if (iface.name() == null) {
            Optional<Network> byListen = listenAddress().flatMap(networks::containing);
            if (byListen.isPresent()) {
                return byListen;
            }
            List<Network> all = networks.all();
            return all.size() == 1 ? Optional.of(all.get(0)) : Optional.empty();
        }
        return Optional.empty();
    }

    private Optional<Ipv4Address> serverId(Network net) {
        if (net.serverAddress().isPresent()) {
            return net.serverAddress();
        }
        for (Inet4Address a : iface.addresses()) {
            Ipv4Address v4 = Ipv4Address.of(a);
            if (net.cidr().contains(v4)) {
                return Optional.of(v4);
            }
        }
        return listenAddress().filter(a -> net.cidr().contains(a));
    }

    private Optional<Ipv4Address> listenAddress() {
        try {
            Ipv4Address a = Ipv4Address.parse(cfg.listen().host());
            return a.bits() == 0 ? Optional.empty() : Optional.of(a);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
