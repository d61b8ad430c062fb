package dev.anvil.dhcp6.server;

import dev.anvil.config.Dhcp6Config;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.dhcp6.policy.Dhcp6Link;
import dev.anvil.dhcp6.policy.Dhcp6Responder;
import dev.anvil.lifecycle.Service;
import dev.anvil.lifecycle.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.RawUnixChannelOption;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCPv6 listener: one UDP socket per configured interface on {@code [::]:port}, bound to its device
 * ({@code SO_BINDTODEVICE}) and joined to All_DHCP_Relay_Agents_and_Servers ({@code ff02::1:2}) there, all on
 * one event-loop thread; the packet path is {@link Dhcp6Handler}'s.
 */
public final class Dhcp6Server implements Service, io.micrometer.core.instrument.binder.MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(Dhcp6Server.class);
    /** SOL_SOCKET, SO_BINDTODEVICE, IFNAMSIZ (Linux). */
    private static final RawUnixChannelOption SO_BINDTODEVICE = new RawUnixChannelOption("SO_BINDTODEVICE", 1, 25, 16);
    /** All_DHCP_Relay_Agents_and_Servers, RFC 8415 §7.1. */
    static final String ALL_SERVERS = "ff02::1:2";

    private final Dhcp6Config cfg;
    private final List<String> interfaces;
    private final NetworkCatalog networks;
    private final Addressing addressing;
    private final Dhcp6Responder responder;
    private final Dhcp6Counters counters = new Dhcp6Counters();
    /** The boot timeline: set once the store is open. */
    private final dev.anvil.core.timeline.Timeline.Relay timeline = new dev.anvil.core.timeline.Timeline.Relay();

    private final List<Channel> channels = new ArrayList<>();
    private EventLoopGroup group;
    private volatile State state = State.NEW;

    /** @param interfaces the interfaces to serve (the config's, else DHCP's) */
    public Dhcp6Server(
            Dhcp6Config cfg,
            List<String> interfaces,
            NetworkCatalog networks,
            Addressing addressing,
            Dhcp6Responder responder) {
        this.cfg = cfg;
        this.interfaces = List.copyOf(interfaces);
        this.networks = networks;
        this.addressing = addressing;
        this.responder = responder;
    }

    @Override
    public String name() {
        return "dhcp6";
    }

    @Override
    public synchronized void start() throws Exception {
        state = State.STARTING;
        Transport t = Transport.detect();
        if (!t.epoll()) {
            state = State.FAILED;
            throw new IllegalStateException("dhcp6 needs the Linux epoll transport (SO_BINDTODEVICE)");
        }
        group = t.group(1);
        try {
            for (String name : interfaces) {
                NetworkInterface ni = NetworkInterface.getByName(name);
                if (ni == null) {
                    throw new IllegalStateException("dhcp6.interfaces: no interface named " + name);
                }
                channels.add(bind(t, ni));
            }
        } catch (Exception e) {
            state = State.FAILED;
            closeChannels();
            String why = "cannot listen for DHCPv6 on " + interfaces + " port " + cfg.port() + ": "
                    + Transport.bindFailure(e);
            if (cfg.enabled().isPresent()) {
                throw new IllegalStateException(why, e);
            }
            // On by default only: a host without IPv6 still serves everything else.
            log.error("{} (dhcp6 is on by default here; set dhcp6.enabled: false to turn it off)", why);
            return;
        }
        state = State.RUNNING;
        log.info("dhcp6 listening on {} port {}", interfaces, cfg.port());
    }

    private Channel bind(Transport t, NetworkInterface ni) throws Exception {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(t.datagram())
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .handler(new Dhcp6Handler(ni.getName(), cachedLink(ni), this::linkFor, responder, counters, timeline));
        Channel ch = b.register().sync().channel();
        ByteBuffer dev = ByteBuffer.allocateDirect(16);
        dev.put(ni.getName().getBytes(StandardCharsets.US_ASCII));
        dev.position(16).flip();
        if (!ch.config().setOption(SO_BINDTODEVICE, dev)) {
            ch.close();
            throw new IllegalStateException("SO_BINDTODEVICE is not supported on this transport");
        }
        try {
            ch.bind(new InetSocketAddress(InetAddress.getByName("::"), cfg.port()))
                    .sync();
            ((DatagramChannel) ch)
                    .joinGroup(new InetSocketAddress(InetAddress.getByName(ALL_SERVERS), cfg.port()), ni)
                    .sync();
            return ch;
        } catch (Exception e) {
            ch.close();
            throw e;
        }
    }

    /** How long an interface's served link is reused before its addresses are read again. */
    static final long LINK_REFRESH_NANOS = 1_000_000_000L;

    /**
     * {@link #link} for one interface, read again at most once a second: the packet path asks for every message,
     * and reading the interface's addresses is a netlink round trip. Used on the handler's event loop only.
     */
    private java.util.function.Supplier<Optional<Dhcp6Link>> cachedLink(NetworkInterface ni) {
        return new java.util.function.Supplier<>() {
            private Optional<Dhcp6Link> last = Optional.empty();
            private long until = System.nanoTime();

            @Override
            public Optional<Dhcp6Link> get() {
                long now = System.nanoTime();
                if (now - until >= 0) {
                    last = link(ni);
                    until = now + LINK_REFRESH_NANOS;
                }
                return last;
            }
        };
    }

    /** The served link on an interface: the network whose /64 holds one of the interface's IPv6 addresses. */
    Optional<Dhcp6Link> link(NetworkInterface ni) {
        List<InetAddress> addrs;
        try {
            NetworkInterface now = NetworkInterface.getByName(ni.getName());
            addrs = now == null ? List.of() : Collections.list(now.getInetAddresses());
        } catch (SocketException e) {
            return Optional.empty();
        }
        for (InetAddress a : addrs) {
            if (a instanceof Inet6Address v6 && !v6.isLinkLocalAddress()) {
                Optional<Dhcp6Link> l = linkFor(v6, Optional.of(v6));
                if (l.isPresent()) {
                    return l;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The link whose /64 holds {@code address} (a relay's link address, or one of ours); {@code server} is the
     * address Anvil is reached at there (for a relayed link: the first of ours in that /64, else none).
     */
    private Optional<Dhcp6Link> linkFor(Inet6Address address, Optional<Inet6Address> server) {
        for (Network n : networks.all()) {
            Optional<Ipv6Prefix64> p = addressing.prefix(n);
            if (p.isPresent() && prefixOf(address) == p.get().high()) {
                Optional<Inet6Address> at = server.or(() -> ourAddressIn(p.get()));
                if (at.isPresent()) {
                    return Optional.of(new Dhcp6Link(n, p.get(), at.get(), cfg.dnsServers(), n.domain()));
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Dhcp6Link> linkFor(Inet6Address relayLink) {
        return linkFor(relayLink, Optional.empty());
    }

    /** One of this host's addresses in the /64 (on a relayed link: where the boot URLs point). */
    private Optional<Inet6Address> ourAddressIn(Ipv6Prefix64 p) {
        // A relayed link Anvil has no address on: the first served interface's global address.
        return firstServedAddress(v6 -> prefixOf(v6) == p.high())
                .or(() -> firstServedAddress(v6 -> !v6.isLinkLocalAddress()));
    }

    /** The first IPv6 address on the served interfaces, in their order, that {@code wanted} accepts. */
    private Optional<Inet6Address> firstServedAddress(java.util.function.Predicate<Inet6Address> wanted) {
        for (String name : interfaces) {
            try {
                NetworkInterface ni = NetworkInterface.getByName(name);
                if (ni != null) {
                    for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                        if (a instanceof Inet6Address v6 && wanted.test(v6)) {
                            return Optional.of(v6);
                        }
                    }
                }
            } catch (SocketException e) {
                // not this one
            }
        }
        return Optional.empty();
    }

    private static long prefixOf(Inet6Address a) {
        byte[] b = a.getAddress();
        long high = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (b[i] & 0xff);
        }
        return high;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>(counters.snapshot());
        return m;
    }

    public Dhcp6Counters counters() {
        return counters;
    }

    /** From now on each answer to a known node is reported to {@code t} (the boot timeline). */
    public void timeline(dev.anvil.core.timeline.Timeline t) {
        timeline.to(t);
    }

    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        counters.bindTo(registry);
    }

    @Override
    public synchronized void close() {
        if (state == State.STOPPED || state == State.NEW) {
            return;
        }
        state = State.STOPPING;
        closeChannels();
        state = State.STOPPED;
    }

    private void closeChannels() {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        channels.clear();
        if (group != null) {
            Transport.shutdown(100, group);
            group = null;
        }
    }
}
