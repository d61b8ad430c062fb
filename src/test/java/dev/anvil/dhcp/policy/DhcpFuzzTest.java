package dev.anvil.dhcp.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.anvil.config.AnvilConfig;
import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MalformedPacketException;
import dev.anvil.dhcp.lease.LeaseBook;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Untrusted bytes on UDP 67 and 4011, through everything the DHCP thread does with them but the socket:
 * {@link DhcpCodec#decode} (a {@link MalformedPacketException} is the counted drop), {@link DhcpResponder} in
 * each kind of context (unknown client, known node, a client holding a lease, a proxyDHCP network, the boot
 * server port), and the encoding of every reply within the size the client allows. Anything else thrown is a
 * finding: on the server it would be an error counter and a warning per packet. Seeds: the captures under
 * {@code src/test/resources/dhcp/captures} (as binary in {@code DhcpFuzzTestInputs}); see doc/fuzzing.md.
 */
class DhcpFuzzTest {
    // The networks of DhcpResponderTest: admin (a pool of three), far (relayed), shared (proxyDHCP).
    static final AnvilConfig CFG = DhcpResponderTest.CFG;
    static final Network ADMIN = DhcpResponderTest.ADMIN;
    static final Network SHARED = CFG.networks().get(2);
    static final Ipv4Address SERVER = DhcpResponderTest.SERVER;
    static final Instant NOW = DhcpResponderTest.NOW;

    final DhcpResponder responder = new DhcpResponder(
            CFG.dhcp(), new BootPlanner(CFG.bootEnvironments(), CFG.dhcp().loaders(), 8080));

    @FuzzTest(maxDuration = "5s")
    void decodeRespondEncode(byte[] wire) {
        DhcpPacket req;
        try {
            req = DhcpCodec.decode(wire);
        } catch (MalformedPacketException e) {
            return; // the counted drop
        }
        reencodes(req);
        Optional<MacAddress> mac = req.mac();
        Optional<Node> node = mac.map(m -> new Node(
                1,
                "n1.cluster.test",
                List.of(m),
                List.of(new NodeAddress("admin", Ipv4Address.parse("10.10.0.11"))),
                "local",
                Optional.empty(),
                false,
                true,
                NodeState.READY,
                NOW,
                NOW));
        for (Optional<Node> n : List.of(Optional.<Node>empty(), node)) {
            LeaseBook empty = book(List.of());
            answer(req, responder.respond(req, new DhcpResponder.Context(ADMIN, SERVER, n, empty, NOW)));
            answer(req, responder.respond(req, new DhcpResponder.Context(SHARED, SERVER, n, empty, NOW)));
            answer(req, responder.respondBootServer(req, new DhcpResponder.Context(ADMIN, SERVER, n, empty, NOW)));
        }
        if (mac.isPresent()) {
            // A client holding a lease: REQUEST (renew, init-reboot), RELEASE and DECLINE find a record.
            Ipv4Address held =
                    req.options().requestedIp().filter(ADMIN.cidr()::contains).orElse(Ipv4Address.parse("10.10.0.100"));
            LeaseBook book =
                    book(List.of(new Lease(held, mac.get(), "admin", NOW.plusSeconds(600), Lease.State.ACTIVE)));
            answer(req, responder.respond(req, new DhcpResponder.Context(ADMIN, SERVER, Optional.empty(), book, NOW)));
        }
    }

    static LeaseBook book(List<Lease> leases) {
        return new LeaseBook(
                leases,
                name -> CFG.networks().stream()
                        .filter(n -> n.name().equals(name))
                        .findFirst());
    }

    /** A decoded packet encodes again (as large as it may be) and decodes to the same options. */
    static void reencodes(DhcpPacket p) {
        byte[] again = DhcpCodec.encode(p, 65535, 0);
        DhcpPacket back = decodeOwn(again);
        assertEquals(withoutOverload(p), withoutOverload(back), "re-encoded options");
    }

    /** A reply goes out within the client's limit and decodes to what was decided. */
    static void answer(DhcpPacket req, Decision d) {
        if (d.reply().isEmpty()) {
            return;
        }
        int max = DhcpCodec.replyLimit(req.options());
        Optional<byte[]> wire = DhcpCodec.encodeReply(d.reply().get(), max);
        if (wire.isEmpty()) {
            // The counted drop, but only for options that do not fit the options area by themselves.
            assertTrue(optionBytes(d.reply().get()) > max - 241, "a reply that fits was dropped");
            return;
        }
        byte[] out = wire.get();
        assertTrue(out.length <= max, "reply of " + out.length + " bytes over the client's limit " + max);
        DhcpPacket back = decodeOwn(out);
        assertEquals(withoutOverload(d.reply().get()), withoutOverload(back), "reply options");
        assertEquals(d.reply().get().xid(), back.xid());
    }

    /** The bytes the reply's options take on the wire (each value in instances of at most 255 bytes). */
    static int optionBytes(DhcpPacket p) {
        int n = 0;
        for (int code : p.options().codes()) {
            int len = p.options().get(code).orElseThrow().length;
            n += len + 2 * Math.max(1, (len + 254) / 255);
        }
        return n;
    }

    static DhcpPacket decodeOwn(byte[] wire) {
        try {
            return DhcpCodec.decode(wire);
        } catch (MalformedPacketException e) {
            throw new AssertionError("our own encoding does not decode: " + e.getMessage(), e);
        }
    }

    static String withoutOverload(DhcpPacket p) {
        var b = p.options().toBuilder();
        b.remove(DhcpOption.OVERLOAD);
        return b.build().toString();
    }
}
