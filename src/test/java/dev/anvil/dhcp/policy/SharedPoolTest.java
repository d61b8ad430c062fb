package dev.anvil.dhcp.policy;

import static dev.anvil.dhcp.policy.DhcpResponderTest.ADMIN;
import static dev.anvil.dhcp.policy.DhcpResponderTest.CFG;
import static dev.anvil.dhcp.policy.DhcpResponderTest.NOW;
import static dev.anvil.dhcp.policy.DhcpResponderTest.SERVER;
import static dev.anvil.dhcp.policy.DhcpResponderTest.request;
import static dev.anvil.dhcp.policy.DhcpResponderTest.withAddrs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import dev.anvil.dhcp.lease.LeaseBook;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pool shared by several instances (doc/scale-out.md): the lease book offers only the addresses this instance
 * holds, a peer's address is never offered or granted here (its REQUESTs are left to the peer, not refused), and
 * while the pools are closed no pool address goes out though bound clients still renew.
 */
class SharedPoolTest {
    static final MacAddress A = MacAddress.parse("52:54:00:00:aa:01");
    static final MacAddress B = MacAddress.parse("52:54:00:00:aa:02");
    static final Ipv4Address X100 = Ipv4Address.parse("10.10.0.100");
    static final Ipv4Address X101 = Ipv4Address.parse("10.10.0.101");
    static final Ipv4Address X102 = Ipv4Address.parse("10.10.0.102");

    final DhcpResponder responder = new DhcpResponder(
            CFG.dhcp(), new BootPlanner(CFG.bootEnvironments(), CFG.dhcp().loaders(), 8080));
    final LeaseBook book = new LeaseBook(
            List.of(),
            name -> CFG.networks().stream().filter(n -> n.name().equals(name)).findFirst());

    @BeforeEach
    void share() {
        book.share();
        book.open(true);
    }

    Decision run(DhcpPacket p) {
        Decision d = responder.respond(p, new DhcpResponder.Context(ADMIN, SERVER, Optional.empty(), book, NOW));
        d.lease().ifPresent(book::put);
        return d;
    }

    Decision discover(MacAddress mac) {
        return run(request(mac, MessageType.DISCOVER, o -> {}));
    }

    Decision select(MacAddress mac, Ipv4Address ip) {
        return run(request(
                mac,
                MessageType.REQUEST,
                o -> o.put(DhcpOption.SERVER_ID, SERVER).put(DhcpOption.REQUESTED_IP, ip)));
    }

    Decision renew(MacAddress mac, Ipv4Address ip) {
        return run(withAddrs(request(mac, MessageType.REQUEST, o -> {}), ip.toString(), "0.0.0.0"));
    }

    @Test
    void nothingHeldNothingOffered() {
        Decision d = discover(A);
        assertTrue(d.reply().isEmpty(), "no address claimed yet: no offer");
        assertEquals(0, book.freshHeld("admin"));
    }

    @Test
    void onlyHeldAddressesAreOfferedFreshOnesFirst() {
        book.hold("admin", X101);
        assertEquals(1, book.freshHeld("admin"));
        Decision d = discover(A);
        assertEquals(Optional.of(X101), d.reply().map(DhcpPacket::yiaddr));
        assertEquals(0, book.freshHeld("admin"), "offered: no longer fresh");
        assertTrue(discover(B).reply().isEmpty(), "the other two addresses are another instance's");
        assertEquals(Optional.of(MessageType.ACK), select(A, X101).replyType());
    }

    @Test
    void aPeersAddressIsLeftToThePeerNotRefused() {
        // The peer's client renews its lease: this instance stays silent (no NAK that would cut the client off).
        book.put(new Lease(X102, B, "admin", NOW.plusSeconds(600), Lease.State.ACTIVE));
        book.unhold("admin", X102);
        Decision d = renew(B, X102);
        assertTrue(d.reply().isEmpty(), "no reply: " + d);
        // The same client DISCOVERs here: its lease with the peer is not offered; a held address is.
        book.hold("admin", X100);
        Decision offer = discover(B);
        assertEquals(Optional.of(X100), offer.reply().map(DhcpPacket::yiaddr));
        // And a request for the peer's address after choosing this server is not granted.
        assertTrue(select(A, X102).replyType().filter(t -> t == MessageType.ACK).isEmpty());
    }

    @Test
    void closedPoolsOfferNothingButBoundClientsRenew() {
        book.hold("admin", X100);
        book.hold("admin", X101);
        discover(A);
        assertEquals(Optional.of(MessageType.ACK), select(A, X100).replyType());
        book.open(false);
        assertTrue(discover(B).reply().isEmpty(), "closed: no pool address offered");
        assertEquals(Optional.of(MessageType.ACK), renew(A, X100).replyType(), "a bound client renews");
        book.open(true);
        assertEquals(Optional.of(X101), discover(B).reply().map(DhcpPacket::yiaddr));
    }

    @Test
    void anOwnAddressWhoseLeaseEndedIsOfferedAgainWhenNoFreshOneIsLeft() {
        book.hold("admin", X100);
        book.put(new Lease(X100, A, "admin", NOW.minusSeconds(1), Lease.State.ACTIVE)); // expired
        assertEquals(0, book.freshHeld("admin"));
        assertEquals(Optional.of(X100), discover(B).reply().map(DhcpPacket::yiaddr));
    }

    @Test
    void givingBackKeepsFreshOnesFirstAndNeverALiveLeaseOrOffer() {
        book.hold("admin", X100);
        book.hold("admin", X101);
        book.hold("admin", X102);
        assertEquals(
                Optional.of(MessageType.ACK), select(A, offered(discover(A))).replyType()); // .100 bound
        book.put(new Lease(
                X102,
                MacAddress.parse("52:54:00:00:aa:09"),
                "admin",
                NOW.minusSeconds(1),
                Lease.State.ACTIVE)); // .102: its lease ended

        assertEquals(List.of(X102), book.giveBack("admin", 1, NOW), "the never-leased one is kept first");

        assertEquals(1, book.freshHeld("admin"));
        assertTrue(!book.ours("admin", X102), "given back: another instance's to claim");
        assertTrue(book.ours("admin", X100) && book.ours("admin", X101));
        assertEquals(X101, offered(discover(B)), "the kept one is offered next");
        assertEquals(List.of(), book.giveBack("admin", 0, NOW), "a live lease and a live offer are never given");
        assertEquals(Optional.of(MessageType.ACK), renew(A, X100).replyType());
        assertEquals(List.of(X100, X101), book.giveBack("admin", 0, NOW.plusSeconds(86_400)), "once both ended");
        assertEquals(0, book.freshHeld("admin"));
    }

    static Ipv4Address offered(Decision d) {
        return d.reply().map(DhcpPacket::yiaddr).orElseThrow(() -> new AssertionError("no offer: " + d));
    }
}
