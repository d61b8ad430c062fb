package dev.anvil.dhcp6.server;

import dev.anvil.core.node.MacAddress;
import dev.anvil.dhcp6.codec.Dhcp6Codec;
import dev.anvil.dhcp6.codec.Dhcp6Message;
import dev.anvil.dhcp6.codec.Dhcp6Option;
import dev.anvil.dhcp6.codec.Dhcp6Options;
import dev.anvil.dhcp6.codec.MalformedPacketException;
import dev.anvil.dhcp6.codec.MessageType;
import dev.anvil.dhcp6.policy.Dhcp6Decision;
import dev.anvil.dhcp6.policy.Dhcp6Link;
import dev.anvil.dhcp6.policy.Dhcp6Responder;
import dev.anvil.lifecycle.LogThrottle;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One interface's DHCPv6 packet path: decode, find the link (the interface's, or a relay's link address), ask
 * the {@link Dhcp6Responder}, wrap the reply in RELAY-REPL layers for a relayed message, send. A malformed
 * message or one the responder drops is counted and not answered.
 */
final class Dhcp6Handler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(Dhcp6Handler.class);
    private final String ifName;
    private final Supplier<Optional<Dhcp6Link>> directLink;
    private final Function<Inet6Address, Optional<Dhcp6Link>> relayedLink;
    private final Dhcp6Responder responder;
    private final Dhcp6Counters counters;
    private final dev.anvil.core.timeline.Timeline timeline;
    private final LogThrottle malformedLog = new LogThrottle(java.time.Duration.ofSeconds(10));
    private final LogThrottle noLinkLog = new LogThrottle(java.time.Duration.ofSeconds(10));
    private final LogThrottle errorLog = new LogThrottle(java.time.Duration.ofSeconds(10));

    Dhcp6Handler(
            String ifName,
            Supplier<Optional<Dhcp6Link>> directLink,
            Function<Inet6Address, Optional<Dhcp6Link>> relayedLink,
            Dhcp6Responder responder,
            Dhcp6Counters counters,
            dev.anvil.core.timeline.Timeline timeline) {
        this.timeline = timeline;
        this.ifName = ifName;
        this.directLink = directLink;
        this.relayedLink = relayedLink;
        this.responder = responder;
        this.counters = counters;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
        counters.received.increment();
        byte[] bytes = ByteBufUtil.getBytes(p.content());
        Dhcp6Message m;
        try {
            m = Dhcp6Codec.decode(bytes);
        } catch (MalformedPacketException e) {
            counters.malformed.increment();
            if (malformedLog.permit(System.nanoTime()) >= 0) {
                log.warn("dhcp6: malformed message from {} on {}: {}", p.sender(), ifName, e.getMessage());
            }
            return;
        }
        List<Dhcp6Message.Relay> layers = new ArrayList<>();
        Dhcp6Message inner = m;
        while (inner instanceof Dhcp6Message.Relay r) {
            if (r.type() != MessageType.RELAY_FORW) {
                counters.drop(Dhcp6Decision.Reason.NOT_A_CLIENT_MESSAGE);
                return;
            }
            layers.add(r);
            Optional<Dhcp6Message> next = r.relayed();
            if (next.isEmpty()) {
                counters.malformed.increment();
                return;
            }
            inner = next.get();
        }
        Dhcp6Message.Client client = (Dhcp6Message.Client) inner;
        Optional<Dhcp6Link> link = directLink.get();
        Optional<MacAddress> relayMac = Optional.empty();
        if (!layers.isEmpty()) {
            Dhcp6Message.Relay nearest = layers.get(layers.size() - 1);
            Inet6Address la = nearest.linkAddress();
            if (!la.isAnyLocalAddress() && !la.isLinkLocalAddress()) {
                link = relayedLink.apply(la);
            }
            relayMac = nearest.options()
                    .first(Dhcp6Option.ClientLinkLayerAddress.class)
                    .flatMap(Dhcp6Option.ClientLinkLayerAddress::mac);
            counters.relayed.increment();
        }
        if (link.isEmpty()) {
            counters.noLink.increment();
            if (noLinkLog.permit(System.nanoTime()) >= 0) {
                log.warn(
                        "dhcp6: no served network for a message from {} on {} (no /64 of a network here)",
                        p.sender(),
                        ifName);
            }
            return;
        }
        Optional<MacAddress> linkMac =
                layers.isEmpty() && p.sender().getAddress() instanceof Inet6Address src && src.isLinkLocalAddress()
                        ? Dhcp6Responder.eui64Mac(src)
                        : Optional.empty();
        Dhcp6Decision d = responder.answer(client, link.get(), relayMac, linkMac);
        if (d instanceof Dhcp6Decision.Drop drop) {
            counters.drop(drop.reason());
            return;
        }
        Dhcp6Decision.Reply reply = (Dhcp6Decision.Reply) d;
        Dhcp6Message out = reply.message();
        for (int i = layers.size() - 1; i >= 0; i--) {
            Dhcp6Message.Relay r = layers.get(i);
            List<Dhcp6Option> opts = new ArrayList<>();
            r.options().first(Dhcp6Option.RelayInterfaceId.class).ifPresent(opts::add);
            opts.add(new Dhcp6Option.RelayMsg(out));
            out = new Dhcp6Message.Relay(
                    MessageType.RELAY_REPL, r.hopCount(), r.linkAddress(), r.peerAddress(), Dhcp6Options.of(opts));
        }
        counters.replied(reply.message().type());
        ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(Dhcp6Codec.encode(out)), p.sender()));
        reply.node().ifPresent(n -> note(client, reply, n.id()));
        if (!reply.bound().isEmpty()) {
            log.debug(
                    "dhcp6: {} {} on {}: {}",
                    reply.node().map(dev.anvil.core.node.Node::name).orElse("unknown"),
                    reply.mac()
                            .map(Object::toString)
                            .orElse(client.options()
                                    .clientId()
                                    .map(Object::toString)
                                    .orElse("?")),
                    ifName,
                    reply.bound());
        }
    }

    /** A known node's exchange on its boot timeline: what came in, what went out, what it said and was given. */
    private void note(Dhcp6Message.Client in, Dhcp6Decision.Reply reply, long nodeId) {
        if (!timeline.enabled()) {
            return;
        }
        StringBuilder detail = new StringBuilder();
        Dhcp6Options o = in.options();
        o.first(Dhcp6Option.ClientArchType.class)
                .ifPresent(a -> detail.append("arch=")
                        .append(a.types().isEmpty() ? "" : a.types().get(0))
                        .append(' '));
        o.first(Dhcp6Option.VendorClass.class)
                .flatMap(v -> v.classes().stream().findFirst())
                .ifPresent(c -> detail.append("vendor=")
                        .append(new String(c.toByteArray(), java.nio.charset.StandardCharsets.US_ASCII))
                        .append(' '));
        reply.message().options().iaNa().stream()
                .flatMap(ia -> ia.addresses().stream().limit(1))
                .forEach(a -> detail.append("address=")
                        .append(dev.anvil.core.net.Ipv6Prefix64.format(a.address()))
                        .append(' '));
        reply.bootFileUrl().ifPresent(u -> detail.append("url=").append(u).append(' '));
        String event = wire(in.type()) + " -> " + wire(reply.message().type());
        timeline.record(
                nodeId,
                reply.mac().orElse(null),
                null,
                dev.anvil.core.timeline.TimelineEvent.Source.DHCP6,
                event,
                detail.toString().strip());
    }

    private static String wire(MessageType t) {
        return t.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        counters.errors.increment();
        if (errorLog.permit(System.nanoTime()) >= 0) {
            log.warn("dhcp6 on {}: {}", ifName, cause.toString());
        }
    }
}
