package dev.anvil.dhcp6.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import dev.anvil.core.timeline.Timeline;
import dev.anvil.dhcp6.codec.Captures;
import dev.anvil.dhcp6.codec.Dhcp6Codec;
import dev.anvil.dhcp6.codec.Dhcp6Message;
import dev.anvil.dhcp6.codec.Dhcp6Option;
import dev.anvil.dhcp6.codec.Duid;
import dev.anvil.dhcp6.codec.MessageType;
import dev.anvil.dhcp6.policy.Dhcp6Link;
import dev.anvil.dhcp6.policy.Dhcp6Responder;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The packet path without sockets: real relayed and direct messages in, the datagram that would go out checked. */
class Dhcp6HandlerTest {
    static final AnvilConfig CFG = new ConfigLoader().parse("""
      http: {listen: "10.10.0.1:8080"}
      networks:
        - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99, domain: cluster.test,
           serverAddress: 10.10.0.1, v6prefix: "fd00:10::/64"}
        - {name: rack7, id: 7, cidr: 10.70.0.0/24, staticRange: 10.70.0.10-10.70.0.99, domain: rack7.test,
           serverAddress: 10.10.0.1, v6prefix: "fd00:7::/64"}
      """, "test");
    static final Addressing ADDRESSING = new Addressing(0);
    static final MacAddress RELAYED_MAC = MacAddress.parse("52:54:00:12:34:56");

    static Inet6Address v6(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    static Dhcp6Link link(Network n, String prefix, String server) throws Exception {
        return new Dhcp6Link(n, Ipv6Prefix64.parse(prefix), v6(server), List.of(), n.domain());
    }

    final Dhcp6Counters counters = new Dhcp6Counters();

    EmbeddedChannel channel(Optional<Node> node) throws Exception {
        Network admin = CFG.networks().get(0);
        Network rack = CFG.networks().get(1);
        Dhcp6Link direct = link(admin, "fd00:10::/64", "fd00:10::1");
        Dhcp6Link relayed = link(rack, "fd00:7::/64", "fd00:10::1");
        Dhcp6Responder responder = new Dhcp6Responder(
                Duid.uuid(UUID.fromString("4a1e7c30-1d2b-4c55-9a0e-0123456789ab")),
                m -> node.filter(n -> n.macs().contains(m)),
                ADDRESSING,
                new BootPlanner(CFG.bootEnvironments(), CFG.dhcp().loaders(), 8080),
                3600,
                7200);
        return new EmbeddedChannel(new Dhcp6Handler(
                "test0",
                () -> Optional.of(direct),
                a -> Ipv6Prefix64.parse("fd00:7::/64").high() == high(a) ? Optional.of(relayed) : Optional.empty(),
                responder,
                counters,
                Timeline.NONE));
    }

    static long high(Inet6Address a) {
        byte[] b = a.getAddress();
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (b[i] & 0xff);
        }
        return h;
    }

    static Node node(String name, MacAddress mac, String network) {
        Instant now = Instant.parse("2026-12-06T00:00:00Z");
        return new Node(
                1,
                name,
                List.of(mac),
                List.of(new NodeAddress(network, Ipv4Address.parse("10.70.0.10"))),
                "sledgehammer",
                Optional.empty(),
                false,
                true,
                NodeState.DISCOVERING,
                now,
                now);
    }

    static DatagramPacket in(String capture, InetSocketAddress from) {
        return new DatagramPacket(
                Unpooled.wrappedBuffer(Captures.bytes(capture)), new InetSocketAddress("::", 547), from);
    }

    static Dhcp6Message out(EmbeddedChannel ch, InetSocketAddress expectedTo) throws Exception {
        DatagramPacket p = ch.readOutbound();
        try {
            assertEquals(expectedTo, p.recipient());
            return Dhcp6Codec.decode(ByteBufUtil.getBytes(p.content()));
        } finally {
            p.release();
        }
    }

    @Test
    void aRelayedSolicitIsAnsweredOnTheRelaysLinkInARelayReplyToTheRelay() throws Exception {
        Node n = node("r1.rack7.test", RELAYED_MAC, "rack7");
        EmbeddedChannel ch = channel(Optional.of(n));
        InetSocketAddress relay = new InetSocketAddress(v6("fd00:7::1"), 547);
        ch.writeInbound(in("dnsmasq-2.90-relay-forw-solicit.hex", relay));
        Dhcp6Message.Relay r = assertInstanceOf(Dhcp6Message.Relay.class, out(ch, relay));
        assertEquals(MessageType.RELAY_REPL, r.type());
        assertEquals(0, r.hopCount());
        assertEquals(v6("fd00:7::1"), r.linkAddress());
        assertEquals(v6("fe80::5054:ff:fe12:3456"), r.peerAddress());
        Dhcp6Message.Client advertise = r.innermost().orElseThrow();
        assertEquals(MessageType.ADVERTISE, advertise.type());
        Inet6Address given =
                advertise.options().iaNa().get(0).addresses().get(0).address();
        assertEquals(ADDRESSING.ipv6(CFG.networks().get(1), "r1.rack7.test").orElseThrow(), given);
        assertEquals(1, counters.snapshot().get("relayed"));
    }

    @Test
    void aRelayedMessageForNoServedPrefixIsCountedAndNotAnswered() throws Exception {
        EmbeddedChannel ch = channel(Optional.empty());
        byte[] b = Captures.bytes("dnsmasq-2.90-relay-forw-solicit.hex");
        b[2] = (byte) 0xfd;
        b[3] = 0x00;
        b[5] = 0x09; // link address fd00:9::1: no network has that /64
        ch.writeInbound(new DatagramPacket(
                Unpooled.wrappedBuffer(b),
                new InetSocketAddress("::", 547),
                new InetSocketAddress(v6("fd00:9::1"), 547)));
        assertNull(ch.readOutbound());
        assertEquals(1, counters.snapshot().get("noLink"));
    }

    @Test
    void aDirectSolicitGoesBackToTheClientsLinkLocalAddressAndPort() throws Exception {
        EmbeddedChannel ch = channel(Optional.empty());
        InetSocketAddress client = new InetSocketAddress(v6("fe80::5054:ff:fe12:3456"), 546);
        ch.writeInbound(in("dhclient-4.4.3-solicit-duid-ll.hex", client));
        Dhcp6Message.Client m = assertInstanceOf(Dhcp6Message.Client.class, out(ch, client));
        assertEquals(MessageType.ADVERTISE, m.type());
        assertTrue(m.options().first(Dhcp6Option.ServerId.class).isPresent());
    }

    @Test
    void garbageAndServerMessagesAreCountedDropsNeverAnswers() throws Exception {
        EmbeddedChannel ch = channel(Optional.empty());
        InetSocketAddress client = new InetSocketAddress(v6("fe80::1"), 546);
        ch.writeInbound(new DatagramPacket(
                Unpooled.wrappedBuffer(new byte[] {1, 2}), new InetSocketAddress("::", 547), client));
        ch.writeInbound(in("dnsmasq-2.90-advertise.hex", client));
        ch.writeInbound(in("dnsmasq-2.90-relay-repl-reply.hex", client));
        assertNull(ch.readOutbound());
        assertEquals(1, counters.snapshot().get("malformed"));
        assertEquals(2, counters.snapshot().get("dropped.not-a-client-message"));
        assertTrue(ch.isOpen());
    }
}
