package dev.anvil.dhcp.policy;

import static dev.anvil.dhcp.policy.DhcpResponderTest.CFG;
import static dev.anvil.dhcp.policy.DhcpResponderTest.SERVER;
import static dev.anvil.dhcp.policy.DhcpResponderTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpOptions;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import dev.anvil.dhcp.lease.LeaseBook;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * RFC 2131 §4.3.1: a client with a binding that sends DISCOVER again (every PXE ROM does, on every boot) is
 * offered its own address, and the binding stays until it expires or is released. The offer must neither
 * demote nor shorten it, so once the offer hold has passed nobody else is given the address: not by asking
 * for it (option 50, or a REQUEST), not by the next-free allocation.
 */
class DhcpRebindTest {
    static final Network ADMIN = CFG.networks().get(0);
    static final Network FAR = CFG.networks().get(1);
    static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");
    static final Duration HOLD = CFG.dhcp().offerHold();
    static final MacAddress HOLDER = MacAddress.parse("52:54:00:aa:00:01");
    static final MacAddress STRANGER = MacAddress.parse("52:54:00:bb:00:01");

    final DhcpResponder responder = new DhcpResponder(
            CFG.dhcp(),
            new dev.anvil.core.boot.BootPlanner(
                    CFG.bootEnvironments(), CFG.dhcp().loaders(), 8080));
    final LeaseBook book = new LeaseBook(
            List.of(),
            name -> CFG.networks().stream().filter(n -> n.name().equals(name)).findFirst());
    Instant now = T0;

    /** Decides at the injected {@link #now} and records the lease change, as the DHCP handler does. */
    Decision run(DhcpPacket p, Network net, Optional<Node> node) {
        Decision d = responder.respond(p, new DhcpResponder.Context(net, SERVER, node, book, now));
        d.lease().ifPresent(book::put);
        return d;
    }

    Decision run(MacAddress mac, MessageType type, Network net, Consumer<DhcpOptions.Builder> opts) {
        return run(request(mac, type, opts), net, Optional.empty());
    }

    static Consumer<DhcpOptions.Builder> selecting(Ipv4Address ip) {
        return b -> b.put(DhcpOption.SERVER_ID, SERVER).put(DhcpOption.REQUESTED_IP, ip);
    }

    static Consumer<DhcpOptions.Builder> wish(Ipv4Address ip) {
        return b -> b.put(DhcpOption.REQUESTED_IP, ip);
    }

    /** A full DORA; returns the address ACKed. */
    Ipv4Address bind(MacAddress mac, Network net) {
        Ipv4Address ip = run(mac, MessageType.DISCOVER, net, b -> {})
                .reply()
                .orElseThrow()
                .yiaddr();
        assertEquals(
                MessageType.ACK,
                run(mac, MessageType.REQUEST, net, selecting(ip)).replyType().orElseThrow());
        return ip;
    }

    @Test
    void aBoundClientsRediscoverKeepsItsBindingAndNobodyElseGetsTheAddress() {
        Ipv4Address ip = bind(HOLDER, ADMIN);
        Lease bound = book.at(ip).orElseThrow();
        assertEquals(Lease.State.ACTIVE, bound.state());
        assertEquals(T0.plus(CFG.dhcp().leaseTime()), bound.expires());

        // The next boot: the PXE ROM sends DISCOVER, then the machine boots from its disk (no REQUEST follows).
        now = T0.plusSeconds(60);
        Decision offer = run(HOLDER, MessageType.DISCOVER, ADMIN, wish(ip));
        assertEquals(MessageType.OFFER, offer.replyType().orElseThrow());
        assertEquals(ip, offer.reply().orElseThrow().yiaddr(), "a bound client is offered its own address");
        assertTrue(
                offer.lease().isEmpty() || offer.lease().get().equals(bound),
                "the offer records no change to the binding: " + offer.lease());
        assertEquals(bound, book.at(ip).orElseThrow(), "still bound, same expiry");

        // Past the offer hold: a stranger asking for that very address gets another one.
        now = now.plus(HOLD).plusSeconds(2);
        DhcpPacket strangerOffer =
                run(STRANGER, MessageType.DISCOVER, ADMIN, wish(ip)).reply().orElseThrow();
        assertNotEquals(ip, strangerOffer.yiaddr());
        assertEquals(bound, book.at(ip).orElseThrow());
        // ... and its REQUEST for it is NAKed, SELECTING or INIT-REBOOT alike (a foreign address: NAK).
        Decision selecting = run(STRANGER, MessageType.REQUEST, ADMIN, selecting(ip));
        assertEquals(MessageType.NAK, selecting.replyType().orElseThrow(), selecting.reason());
        Decision reboot = run(STRANGER, MessageType.REQUEST, ADMIN, wish(ip));
        assertEquals(MessageType.NAK, reboot.replyType().orElseThrow(), reboot.reason());
        assertEquals(bound, book.at(ip).orElseThrow());

        // The holder's next boot goes all the way: the same address, ACKed, with a fresh lease.
        DhcpPacket again =
                run(HOLDER, MessageType.DISCOVER, ADMIN, b -> {}).reply().orElseThrow();
        assertEquals(ip, again.yiaddr());
        Decision ack = run(HOLDER, MessageType.REQUEST, ADMIN, selecting(ip));
        assertEquals(MessageType.ACK, ack.replyType().orElseThrow(), ack.reason());
        assertEquals(ip, ack.reply().orElseThrow().yiaddr());
        assertEquals(
                new Lease(ip, HOLDER, "admin", now.plus(CFG.dhcp().leaseTime()), Lease.State.ACTIVE),
                book.at(ip).orElseThrow());
    }

    @Test
    void theNextFreeAllocationNeverHandsOutABoundAddress() {
        int pool = (int) FAR.dhcpPool().orElseThrow().size();
        int holders = pool / 2;
        Set<Ipv4Address> bound = new HashSet<>();
        for (int i = 0; i < holders; i++) {
            assertTrue(bound.add(bind(MacAddress.parse(String.format("52:54:00:aa:01:%02x", i)), FAR)));
        }
        // Every holder boots again: DISCOVER only.
        now = T0.plusSeconds(120);
        for (int i = 0; i < holders; i++) {
            MacAddress mac = MacAddress.parse(String.format("52:54:00:aa:01:%02x", i));
            Ipv4Address offered = run(mac, MessageType.DISCOVER, FAR, b -> {})
                    .reply()
                    .orElseThrow()
                    .yiaddr();
            assertTrue(
                    bound.contains(offered)
                            && book.at(offered).orElseThrow().mac().equals(mac),
                    mac + " is offered its own address, not " + offered);
        }
        now = now.plus(HOLD).plusSeconds(2);
        List<Ipv4Address> strangers = new ArrayList<>();
        for (int i = 0; i < pool - holders; i++) {
            MacAddress mac = MacAddress.parse(String.format("52:54:00:bb:01:%02x", i));
            Ipv4Address ip = bind(mac, FAR);
            assertFalse(bound.contains(ip), "stranger " + mac + " was given the bound address " + ip);
            strangers.add(ip);
        }
        assertEquals(pool - holders, new HashSet<>(strangers).size());
        // The pool is now full: one more stranger is refused, not handed a holder's address.
        Decision none = run(STRANGER, MessageType.DISCOVER, FAR, b -> {});
        assertTrue(none.reply().isEmpty(), "offered " + none.reply().map(DhcpPacket::yiaddr));
        for (Ipv4Address ip : bound) {
            Lease l = book.at(ip).orElseThrow();
            assertEquals(Lease.State.ACTIVE, l.state(), l.toString());
            assertEquals(T0.plus(CFG.dhcp().leaseTime()), l.expires(), l.toString());
        }
    }

    @Test
    void aKnownNodesRediscoverKeepsItsReservationBound() {
        Node n = DhcpResponderTest.node("n1.cluster.test", HOLDER.toString(), "10.10.0.42", "sledgehammer");
        Ipv4Address ip = Ipv4Address.parse("10.10.0.42");
        run(request(HOLDER, MessageType.DISCOVER, b -> {}), ADMIN, Optional.of(n));
        assertEquals(
                MessageType.ACK,
                run(request(HOLDER, MessageType.REQUEST, selecting(ip)), ADMIN, Optional.of(n))
                        .replyType()
                        .orElseThrow());
        Lease bound = book.at(ip).orElseThrow();
        now = T0.plusSeconds(60);
        assertEquals(
                ip,
                run(request(HOLDER, MessageType.DISCOVER, b -> {}), ADMIN, Optional.of(n))
                        .reply()
                        .orElseThrow()
                        .yiaddr());
        now = now.plus(HOLD).plusSeconds(2);
        assertEquals(bound, book.at(ip).orElseThrow(), "the lease list still shows the binding");
    }

    @Test
    void aBindingAboutToEndIsHeldForTheOfferWithoutBeingShortened() {
        Ipv4Address ip = bind(HOLDER, ADMIN);
        // Ten seconds before the binding ends, the client DISCOVERs: the offer holds the address for its full hold.
        now = T0.plus(CFG.dhcp().leaseTime()).minusSeconds(10);
        assertEquals(
                ip,
                run(HOLDER, MessageType.DISCOVER, ADMIN, b -> {})
                        .reply()
                        .orElseThrow()
                        .yiaddr());
        Lease held = book.at(ip).orElseThrow();
        assertEquals(HOLDER, held.mac());
        assertFalse(held.expires().isBefore(now.plus(HOLD)), held.toString());
        now = now.plus(HOLD).minusSeconds(1);
        assertNotEquals(
                ip,
                run(STRANGER, MessageType.DISCOVER, ADMIN, wish(ip))
                        .reply()
                        .orElseThrow()
                        .yiaddr());
    }
}
