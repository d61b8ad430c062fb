package dev.anvil.dhcp.server;

import dev.anvil.config.DhcpConfig;
import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.dhcp.lease.LeaseBook;
import dev.anvil.dhcp.policy.DhcpResponder;
import dev.anvil.lifecycle.Service;
import dev.anvil.lifecycle.Transport;
import dev.anvil.store.LeaseStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.unix.RawUnixChannelOption;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCP listener: netty UDP on one event-loop thread, which owns the lease book. With
 * {@code dhcp.interfaces} set it opens one socket per interface on 0.0.0.0:port bound to that device
 * ({@code SO_BINDTODEVICE}, needs CAP_NET_RAW), so it knows where each broadcast came in and broadcasts the
 * reply out of the same interface; otherwise one socket on {@code dhcp.listen}.
 *
 * <p>Size: just over 300 lines: the sockets (per interface or one), their start and bounded stop, the reads of the
 * lease book on its own thread for the API, and the meters; the packet path is {@link DhcpHandler}'s.
 */
public final class DhcpServer implements Service, MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(DhcpServer.class);
    /** SOL_SOCKET, SO_BINDTODEVICE, IFNAMSIZ (Linux). */
    private static final RawUnixChannelOption SO_BINDTODEVICE = new RawUnixChannelOption("SO_BINDTODEVICE", 1, 25, 16);

    private final DhcpConfig cfg;
    private final NetworkCatalog networks;
    private final NodeDirectory nodes;
    private final DhcpResponder responder;
    private final LeaseStore leaseStore;
    private final Clock clock;
    private final DhcpCounters counters = new DhcpCounters();
    /** The boot timeline: set once the store is open (this server may start before, from the snapshot). */
    private final dev.anvil.core.timeline.Timeline.Relay timeline = new dev.anvil.core.timeline.Timeline.Relay();

    private final List<Channel> channels = new ArrayList<>();
    private volatile State state = State.NEW;
    private EventLoopGroup group;
    private LeaseBook book;
    /** Set before the start when several instances share the pools (doc/scale-out.md). */
    private volatile PoolSharing sharing;

    private java.util.concurrent.ExecutorService probes;

    public DhcpServer(
            DhcpConfig cfg,
            NetworkCatalog networks,
            NodeDirectory nodes,
            DhcpResponder responder,
            LeaseStore leaseStore,
            Clock clock) {
        this.cfg = cfg;
        this.networks = networks;
        this.nodes = nodes;
        this.responder = responder;
        this.leaseStore = leaseStore;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "dhcp";
    }

    @Override
    public synchronized void start() throws Exception {
        if (state == State.RUNNING) {
            return; // started early, from the start-up snapshot (before the store was open)
        }
        state = State.STARTING;
        book = new LeaseBook(leaseStore.load(), networks::get);
        if (sharing != null) {
            book.share();
            book.open(false); // until the shared leases are read
        }
        if (cfg.pingCheck().isPresent()) {
            probes = java.util.concurrent.Executors.newFixedThreadPool(16, r -> {
                Thread t = new Thread(r, "dhcp-ping");
                t.setDaemon(true);
                return t;
            });
        }
        Transport t = Transport.detect();
        boolean epoll = t.epoll();
        group = t.group(1);
        try {
            int boot = cfg.bootServerPort();
            if (cfg.interfaces().isEmpty()) {
                channels.add(bind(epoll, null, cfg.listen().toSocketAddress(), false));
                if (boot > 0) {
                    channels.add(
                            bind(epoll, null, new InetSocketAddress(cfg.listen().host(), boot), true));
                }
            } else {
                if (!epoll) {
                    throw new IllegalStateException("dhcp.interfaces needs the Linux epoll transport");
                }
                for (String ifName : cfg.interfaces()) {
                    channels.add(bind(
                            true,
                            ifName,
                            new InetSocketAddress("0.0.0.0", cfg.listen().port()),
                            false));
                    if (boot > 0) {
                        channels.add(bind(true, ifName, new InetSocketAddress("0.0.0.0", boot), true));
                    }
                }
            }
        } catch (Exception e) {
            state = State.FAILED;
            closeChannels();
            throw new IllegalStateException(
                    "cannot listen for DHCP on "
                            + (cfg.interfaces().isEmpty()
                                    ? cfg.listen()
                                    : cfg.interfaces() + " port " + cfg.listen().port())
                            + ": " + Transport.bindFailure(e),
                    e);
        }
        state = State.RUNNING;
        log.info(
                "dhcp listening on {}",
                cfg.interfaces().isEmpty()
                        ? channels.get(0).localAddress()
                        : cfg.interfaces() + " port " + cfg.listen().port());
    }

    private Channel bind(boolean epoll, String ifName, InetSocketAddress at, boolean bootServer) throws Exception {
        Interface iface = ifName == null ? Interface.WILDCARD : Interface.of(ifName);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(new Transport(epoll).datagram())
                .option(ChannelOption.SO_BROADCAST, true)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(epoll ? 32 * 1500 : 2048))
                .handler(new DhcpHandler(
                        cfg,
                        iface,
                        bootServer,
                        networks,
                        nodes,
                        responder,
                        book,
                        leaseStore,
                        clock,
                        counters,
                        probes,
                        timeline,
                        sharing));
        // Neither SO_REUSEADDR nor SO_REUSEPORT: with either, a second daemon could bind the same port and the kernel
        // would split the clients between the two. Sockets on different devices (SO_BINDTODEVICE) do not clash.
        if (epoll) {
            // recvmmsg(2): up to 32 datagrams of at most 1500 bytes per system call, sliced from one buffer.
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 1500);
        }
        Channel ch = b.register().sync().channel();
        if (ifName != null) {
            // Set on the open socket rather than through the bootstrap, which would only log a failure.
            ByteBuffer name = ByteBuffer.allocateDirect(16);
            name.put(ifName.getBytes(StandardCharsets.US_ASCII));
            name.position(16).flip();
            if (!ch.config().setOption(SO_BINDTODEVICE, name)) {
                ch.close();
                throw new IllegalStateException("SO_BINDTODEVICE is not supported on this transport");
            }
        }
        try {
            return ch.bind(at).sync().channel();
        } catch (Exception e) {
            ch.close();
            throw e;
        }
    }

    /** From now on each answer to a known node is reported to {@code t} (the boot timeline). */
    public void timeline(dev.anvil.core.timeline.Timeline t) {
        timeline.to(t);
    }

    /**
     * Shares the pools with other instances through {@code s} (called by {@link PoolSharing#attach}): from the start
     * on, a pool address is offered only once claimed. Must precede the start (an early start from the snapshot is
     * not made on a shared store).
     */
    synchronized void sharePools(PoolSharing s) {
        if (state == State.RUNNING || state == State.STARTING) {
            throw new IllegalStateException("the DHCP pools must be shared before the server starts");
        }
        this.sharing = s;
    }

    /** Runs {@code f} on the thread that owns the lease book, later; nothing when the server is not running. */
    void onBook(java.util.function.Consumer<LeaseBook> f) {
        if (state != State.RUNNING) {
            return;
        }
        try {
            group.next().execute(() -> f.accept(book));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    /** Runs {@code f} on the lease book's thread and waits for it (bounded); nothing when not running. */
    void onBookAndWait(java.util.function.Consumer<LeaseBook> f) {
        onLoop(
                () -> {
                    f.accept(book);
                    return null;
                },
                null);
    }

    /** The leases as the server holds them, read on its own thread. */
    public List<Lease> leases() {
        return onLoop(book::all, List.of());
    }

    /**
     * The address a live lease of one of these MACs holds now (a machine on the pool: discovered, not yet
     * admitted), read on the server's own thread; empty when there is none or the server is not running.
     */
    public java.util.Optional<dev.anvil.core.net.Ipv4Address> leasedTo(List<dev.anvil.core.node.MacAddress> macs) {
        return onLoop(
                () -> {
                    java.time.Instant now = clock.instant();
                    for (dev.anvil.core.node.MacAddress mac : macs) {
                        for (dev.anvil.core.net.Network n : networks.all()) {
                            java.util.Optional<Lease> l =
                                    book.lastOf(n.name(), mac).filter(x -> x.holds(now));
                            if (l.isPresent()) {
                                return java.util.Optional.of(l.get().ip());
                            }
                        }
                    }
                    return java.util.Optional.empty();
                },
                java.util.Optional.empty());
    }

    /** The lease at an address, read on the server's own thread; empty when the server is not running. */
    public java.util.Optional<Lease> leaseAt(dev.anvil.core.net.Ipv4Address ip) {
        return onLoop(() -> book.at(ip), java.util.Optional.empty());
    }

    /** Reads the lease book on the thread that owns it (bounded wait); {@code stopped} when not running. */
    private <T> T onLoop(java.util.concurrent.Callable<T> read, T stopped) {
        if (state != State.RUNNING) {
            return stopped;
        }
        try {
            return group.next().submit(read).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the leases: " + e.getMessage(), e);
        }
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new java.util.LinkedHashMap<>(counters.snapshot());
        m.putAll(leaseStore.metrics());
        return m;
    }

    /** The packet counters, the reply-time histograms and the lease journal's syncs as {@code anvil_dhcp_*}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        counters.bindTo(registry);
        FunctionCounter.builder(
                        "anvil.dhcp.journal.syncs", leaseStore, s -> s.metrics().getOrDefault("leaseSyncs", 0L))
                .description("lease journal syncs to the disk")
                .register(registry);
        FunctionCounter.builder(
                        "anvil.dhcp.journal.commits",
                        leaseStore,
                        s -> s.metrics().getOrDefault("leaseCommits", 0L))
                .description("lease journal commits (batches of leases) the syncs served")
                .register(registry);
    }

    @Override
    public synchronized void close() {
        if (state == State.NEW || state == State.STOPPED) {
            return;
        }
        state = State.STOPPING;
        closeChannels();
        leaseStore.flush();
        state = State.STOPPED;
    }

    private void closeChannels() {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        channels.clear();
        Transport.shutdown(group);
        if (probes != null) {
            probes.shutdownNow();
        }
    }

    /** A receiving interface and its IPv4 addresses (none for the wildcard socket). */
    record Interface(String name, List<Inet4Address> addresses) {
        static final Interface WILDCARD = new Interface(null, List.of());

        static Interface of(String name) throws SocketException {
            NetworkInterface ni = NetworkInterface.getByName(name);
            if (ni == null) {
                throw new SocketException("no network interface named " + name);
            }
            List<Inet4Address> v4 = new ArrayList<>();
            for (var a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address a4) {
                    v4.add(a4);
                }
            }
            return new Interface(name, List.copyOf(v4));
        }
    }
}
