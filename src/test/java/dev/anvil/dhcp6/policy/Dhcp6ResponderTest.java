package dev.anvil.dhcp6.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import dev.anvil.dhcp6.codec.Captures;
import dev.anvil.dhcp6.codec.Dhcp6Message;
import dev.anvil.dhcp6.codec.Dhcp6Option;
import dev.anvil.dhcp6.codec.Dhcp6Options;
import dev.anvil.dhcp6.codec.Duid;
import dev.anvil.dhcp6.codec.MessageType;
import dev.anvil.dhcp6.codec.Status;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The DHCPv6 decision on real clients' messages (the captures under src/test/resources/dhcp6). */
class Dhcp6ResponderTest {
    static final AnvilConfig CFG = new ConfigLoader().parse("""
      http: {listen: "10.10.0.1:8080"}
      networks:
        - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99,
           dhcpPool: 10.10.0.100-10.10.0.199, domain: cluster.test, serverAddress: 10.10.0.1,
           v6prefix: "fd00:10::/64"}
      """, "test");
    static final Network ADMIN = CFG.networks().get(0);
    static final Addressing ADDRESSING = new Addressing(0);
    static final Ipv6Prefix64 PREFIX = Ipv6Prefix64.parse("fd00:10::/64");
    static final Inet6Address SERVER = v6("fd00:10::1");
    static final Dhcp6Link LINK = new Dhcp6Link(ADMIN, PREFIX, SERVER, List.of(SERVER), "cluster.test");
    /** The MAC dhclient's captures were made with (its DUID-LL / DUID-LLT), and OVMF's. */
    static final MacAddress DHCLIENT = MacAddress.parse("52:54:00:12:34:56");

    static final MacAddress OVMF = MacAddress.parse("52:54:00:12:34:57");
    static final Duid ME = Duid.uuid(UUID.fromString("4a1e7c30-1d2b-4c55-9a0e-0123456789ab"));

    final Map<MacAddress, Node> nodes = new java.util.HashMap<>();
    final Dhcp6Responder responder = new Dhcp6Responder(
            ME,
            m -> Optional.ofNullable(nodes.get(m)),
            ADDRESSING,
            new BootPlanner(CFG.bootEnvironments(), CFG.dhcp().loaders(), 8080),
            3600,
            7200);

    static Inet6Address v6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Dhcp6Message.Client capture(String name) throws Exception {
        return (Dhcp6Message.Client) Captures.decode(name);
    }

    Node node(String name, MacAddress mac, String bootEnv) {
        return node(name, mac, bootEnv, List.of(new NodeAddress("admin", Ipv4Address.parse("10.10.0.10"))));
    }

    Node node(String name, MacAddress mac, String bootEnv, List<NodeAddress> addresses) {
        Instant now = Instant.parse("2026-12-06T00:00:00Z");
        Node n = new Node(
                1,
                name,
                List.of(mac),
                addresses,
                bootEnv,
                Optional.empty(),
                false,
                true,
                NodeState.DISCOVERING,
                now,
                now);
        nodes.put(mac, n);
        return n;
    }

    Dhcp6Decision.Reply reply(Dhcp6Message.Client in) {
        return assertInstanceOf(
                Dhcp6Decision.Reply.class, responder.answer(in, LINK, Optional.empty(), Optional.empty()));
    }

    static Inet6Address onlyAddress(Dhcp6Message.Client m) {
        List<Dhcp6Option.IaNa> ias = m.options().iaNa();
        assertEquals(1, ias.size(), m.toString());
        return ias.get(0).addresses().get(0).address();
    }

    @Test
    void aKnownNodeIsOfferedExactlyItsDerivedAddressTheOneItsAaaaShows() throws Exception {
        node("n1.cluster.test", DHCLIENT, "sledgehammer");
        Dhcp6Decision.Reply r = reply(capture("dhclient-4.4.3-solicit-duid-ll.hex"));
        Dhcp6Message.Client m = r.message();
        assertEquals(MessageType.ADVERTISE, m.type());
        assertEquals(0xa3613b, m.transactionId(), "the SOLICIT's");
        assertEquals(ADDRESSING.ipv6(ADMIN, "n1.cluster.test").orElseThrow(), onlyAddress(m));
        assertEquals(Optional.of(ME), m.options().serverId());
        assertEquals(Duid.ll(1, DHCLIENT.toBytes()), m.options().clientId().orElseThrow());
        Dhcp6Option.IaNa ia = m.options().iaNa().get(0);
        assertEquals(1800, ia.t1());
        assertEquals(2880, ia.t2());
        assertEquals(3600, ia.addresses().get(0).preferredLifetime());
        assertEquals(7200, ia.addresses().get(0).validLifetime());
        // dhclient asks for name servers (23) and the search list (24)
        assertEquals(
                List.of(SERVER),
                m.options().first(Dhcp6Option.DnsServers.class).orElseThrow().servers());
        assertEquals(
                List.of("cluster.test"),
                m.options().first(Dhcp6Option.DomainList.class).orElseThrow().names());
        assertEquals(Optional.of("n1.cluster.test"), r.node().map(Node::name));
        assertTrue(r.bound().isEmpty(), "an ADVERTISE binds nothing");
        assertTrue(m.options().first(Dhcp6Option.BootfileUrl.class).isEmpty(), "dhclient asked for no boot file");
    }

    @Test
    void aDiscoveredNodeWithNoAddressAnywhereGetsItsDerivedAddressAndOneAdmittedElsewhereAPoolOne() throws Exception {
        // Registered by the discovery image, not admitted: no reservation on any network. Its next DHCPv6 exchange
        // gives it the address the image took after registering (the /64 of the link + md5 of its name).
        node("d52-54-00-12-34-56.cluster.test", DHCLIENT, "sledgehammer", List.of());
        Dhcp6Decision.Reply r = reply(capture("dhclient-4.4.3-solicit-duid-ll.hex"));
        assertEquals(ADDRESSING.ipv6(ADMIN, "d52-54-00-12-34-56.cluster.test").orElseThrow(), onlyAddress(r.message()));
        assertEquals(Optional.of("d52-54-00-12-34-56.cluster.test"), r.node().map(Node::name));
        // A node with addresses on other networks only is no node of this link: the pool, as for a stranger.
        node("n9.cluster.test", DHCLIENT, "local", List.of(new NodeAddress("lab", Ipv4Address.parse("10.20.0.9"))));
        Dhcp6Decision.Reply pool = reply(capture("dhclient-4.4.3-solicit-duid-ll.hex"));
        assertTrue(pool.node().isEmpty());
        assertNotEquals(ADDRESSING.ipv6(ADMIN, "n9.cluster.test").orElseThrow(), onlyAddress(pool.message()));
        assertTrue(LINK.onLink(onlyAddress(pool.message())));
    }

    @Test
    void aMachineNoNodeHasGetsAStablePoolAddressInThePrefix() throws Exception {
        Inet6Address a =
                onlyAddress(reply(capture("dhclient-4.4.3-solicit-duid-ll.hex")).message());
        assertTrue(LINK.onLink(a), a.toString());
        assertEquals(
                a,
                onlyAddress(reply(capture("dhclient-4.4.3-solicit-duid-ll.hex")).message()));
        Inet6Address other = onlyAddress(
                reply(capture("dhclient-4.4.3-solicit-duid-llt.hex")).message());
        assertNotEquals(a, other, "another DUID, another address");
        assertNotEquals(ADDRESSING.ipv6(ADMIN, "n1.cluster.test").orElseThrow(), a);
    }

    @Test
    void aRequestForAnotherServerIsDroppedAndOneForUsIsAnsweredWithTheOldAddressWithdrawn() throws Exception {
        node("n1.cluster.test", DHCLIENT, "sledgehammer");
        Dhcp6Message.Client theirs = capture("dhclient-4.4.3-request.hex");
        assertEquals(
                new Dhcp6Decision.Drop(Dhcp6Decision.Reason.OTHER_SERVER),
                responder.answer(theirs, LINK, Optional.empty(), Optional.empty()));

        List<Dhcp6Option> opts = new ArrayList<>();
        for (Dhcp6Option o : theirs.options().all()) {
            opts.add(o instanceof Dhcp6Option.ServerId ? new Dhcp6Option.ServerId(ME) : o);
        }
        Dhcp6Decision.Reply r =
                reply(new Dhcp6Message.Client(MessageType.REQUEST, theirs.transactionId(), Dhcp6Options.of(opts)));
        assertEquals(MessageType.REPLY, r.message().type());
        Inet6Address mine = ADDRESSING.ipv6(ADMIN, "n1.cluster.test").orElseThrow();
        assertEquals(List.of(mine), r.bound());
        List<Dhcp6Option.IaAddress> given = r.message().options().iaNa().get(0).addresses();
        assertEquals(mine, given.get(0).address());
        assertEquals(2, given.size(), "the address dnsmasq gave goes back with lifetimes 0");
        assertEquals(0, given.get(1).validLifetime());
        assertEquals(0, given.get(1).preferredLifetime());
    }

    @Test
    void ovmfPxeAndHttpBootGetTheirLoaderFromTheSameBootPlanAsDhcpv4() throws Exception {
        Dhcp6Message.Client pxe = reply(capture("ovmf-2022.11-pxe-solicit.hex")).message();
        assertEquals(
                "tftp://[fd00:10::1]/snponly.efi",
                pxe.options().first(Dhcp6Option.BootfileUrl.class).orElseThrow().url());
        assertTrue(pxe.options().first(Dhcp6Option.VendorClass.class).isEmpty(), "PXE gets no HTTPClient");

        Dhcp6Message.Client http =
                reply(capture("ovmf-2022.11-http-solicit.hex")).message();
        assertEquals(
                "http://[fd00:10::1]:8080/boot/ipxe.efi",
                http.options()
                        .first(Dhcp6Option.BootfileUrl.class)
                        .orElseThrow()
                        .url());
        Dhcp6Option.VendorClass vc =
                http.options().first(Dhcp6Option.VendorClass.class).orElseThrow();
        assertEquals(343, vc.enterpriseNumber());
        assertEquals("HTTPClient", new String(vc.classes().get(0).toByteArray()));
    }

    @Test
    void iPxeWhoseDuidNamesNoMacIsKnownByItsEui64LinkLocalAddressAndGetsItsScript() throws Exception {
        Dhcp6Message.Client in = capture("ipxe-20190125-solicit.hex");
        MacAddress mac = MacAddress.parse("52:54:00:12:34:58");
        node("n2.cluster.test", mac, "sledgehammer");
        Optional<MacAddress> fromLinkLocal = Dhcp6Responder.eui64Mac(v6("fe80::5054:ff:fe12:3458"));
        assertEquals(Optional.of(mac), fromLinkLocal);
        Dhcp6Decision.Reply r = assertInstanceOf(
                Dhcp6Decision.Reply.class, responder.answer(in, LINK, Optional.empty(), fromLinkLocal));
        assertEquals(ADDRESSING.ipv6(ADMIN, "n2.cluster.test").orElseThrow(), onlyAddress(r.message()));
        assertEquals(Optional.of("http://[fd00:10::1]:8080/nodes/52-54-00-12-34-58/boot.ipxe"), r.bootFileUrl());
        assertTrue(Dhcp6Responder.eui64Mac(v6("fe80::1234:5678:9abc:def0")).isEmpty(), "not EUI-64");
    }

    @Test
    void aRelayedMacWinsOverTheDuids() throws Exception {
        node("n3.cluster.test", MacAddress.parse("52:54:00:aa:bb:cc"), "sledgehammer");
        Dhcp6Decision.Reply r = assertInstanceOf(
                Dhcp6Decision.Reply.class,
                responder.answer(
                        capture("dhclient-4.4.3-solicit-duid-ll.hex"),
                        LINK,
                        Optional.of(MacAddress.parse("52:54:00:aa:bb:cc")),
                        Optional.empty()));
        assertEquals(ADDRESSING.ipv6(ADMIN, "n3.cluster.test").orElseThrow(), onlyAddress(r.message()));
    }

    @Test
    void everyAdvertiseCarriesPreference255SoClientsTakeItAtOnce() throws Exception {
        // OVMF's PXE SOLICIT (a machine no node has) and dhclient's for a node: EDK2 and dhclient both stop
        // collecting ADVERTISEs at a Preference of 255 (RFC 8415 §18.2.1) instead of waiting out the first RT.
        node("n1.cluster.test", DHCLIENT, "sledgehammer");
        for (String c : List.of("ovmf-2022.11-pxe-solicit.hex", "dhclient-4.4.3-solicit-duid-ll.hex")) {
            Dhcp6Message.Client m = reply(capture(c)).message();
            assertEquals(MessageType.ADVERTISE, m.type(), c);
            assertEquals(
                    Optional.of(255),
                    m.options().first(Dhcp6Option.Preference.class).map(Dhcp6Option.Preference::value),
                    c);
        }
        // a REPLY (to a REQUEST, or a Rapid Commit SOLICIT) carries none: the option belongs to ADVERTISE
        Dhcp6Message.Client request = capture("ovmf-2022.11-pxe-request.hex");
        Dhcp6Message.Client asked = new Dhcp6Message.Client(
                MessageType.REQUEST,
                request.transactionId(),
                Dhcp6Options.of(request.options().all().stream()
                        .map(o -> o instanceof Dhcp6Option.ServerId ? new Dhcp6Option.ServerId(ME) : o)
                        .toList()));
        Dhcp6Message.Client r = reply(asked).message();
        assertEquals(MessageType.REPLY, r.type());
        assertTrue(r.options().first(Dhcp6Option.Preference.class).isEmpty(), r.toString());
    }

    @Test
    void rapidCommitBindsAtOnce() throws Exception {
        node("n1.cluster.test", DHCLIENT, "sledgehammer");
        Dhcp6Message.Client s = capture("dhclient-4.4.3-solicit-duid-ll.hex");
        List<Dhcp6Option> opts = new ArrayList<>(s.options().all());
        opts.add(new Dhcp6Option.RapidCommit());
        Dhcp6Decision.Reply r =
                reply(new Dhcp6Message.Client(MessageType.SOLICIT, s.transactionId(), Dhcp6Options.of(opts)));
        assertEquals(MessageType.REPLY, r.message().type());
        assertTrue(r.message().options().has(Dhcp6Option.RAPID_COMMIT));
        assertTrue(r.message().options().first(Dhcp6Option.Preference.class).isEmpty(), "no Preference in a REPLY");
        assertEquals(List.of(ADDRESSING.ipv6(ADMIN, "n1.cluster.test").orElseThrow()), r.bound());
    }

    @Test
    void confirmSaysWhetherTheAddressesAreOnThisLink() throws Exception {
        Dhcp6Message.Client confirm = capture("dhclient-4.4.3-confirm.hex");
        Dhcp6Decision.Reply off = reply(confirm);
        assertEquals(
                Status.NOT_ON_LINK.code(),
                off.message()
                        .options()
                        .first(Dhcp6Option.StatusCode.class)
                        .orElseThrow()
                        .status());
        Ipv6Prefix64 theirs = Ipv6Prefix64.parse("fd00:6::/64");
        Dhcp6Link there = new Dhcp6Link(ADMIN, theirs, v6("fd00:6::1"), List.of(), "");
        Dhcp6Decision.Reply on = assertInstanceOf(
                Dhcp6Decision.Reply.class, responder.answer(confirm, there, Optional.empty(), Optional.empty()));
        assertEquals(
                Status.SUCCESS.code(),
                on.message()
                        .options()
                        .first(Dhcp6Option.StatusCode.class)
                        .orElseThrow()
                        .status());
    }

    @Test
    void informationRequestGetsTheOptionsAlone() throws Exception {
        Dhcp6Message.Client m =
                reply(capture("dhclient-4.4.3-information-request.hex")).message();
        assertEquals(MessageType.REPLY, m.type());
        assertTrue(m.options().iaNa().isEmpty());
        assertTrue(m.options().first(Dhcp6Option.DnsServers.class).isPresent());
    }

    @Test
    void whatRfc8415SaysToDiscardIsDroppedWithItsReason() throws Exception {
        assertEquals(
                new Dhcp6Decision.Drop(Dhcp6Decision.Reason.NOT_A_CLIENT_MESSAGE),
                responder.answer(capture("dnsmasq-2.90-advertise.hex"), LINK, Optional.empty(), Optional.empty()));
        Dhcp6Message.Client s = capture("dhclient-4.4.3-solicit-duid-ll.hex");
        List<Dhcp6Option> opts = new ArrayList<>(s.options().all());
        opts.add(new Dhcp6Option.ServerId(ME));
        assertEquals(
                new Dhcp6Decision.Drop(Dhcp6Decision.Reason.BAD_SERVER_ID),
                responder.answer(
                        new Dhcp6Message.Client(MessageType.SOLICIT, 1, Dhcp6Options.of(opts)),
                        LINK,
                        Optional.empty(),
                        Optional.empty()));
        assertEquals(
                new Dhcp6Decision.Drop(Dhcp6Decision.Reason.NO_CLIENT_ID),
                responder.answer(
                        new Dhcp6Message.Client(MessageType.SOLICIT, 1, Dhcp6Options.EMPTY),
                        LINK,
                        Optional.empty(),
                        Optional.empty()));
        Dhcp6Message.Client release = capture("dhclient-4.4.3-release.hex");
        assertEquals(
                new Dhcp6Decision.Drop(Dhcp6Decision.Reason.OTHER_SERVER),
                responder.answer(release, LINK, Optional.empty(), Optional.empty()));
    }

    @Test
    void atMostEightIaNasAreAnsweredSoASpoofedSolicitCannotAmplify() throws Exception {
        Dhcp6Message.Client s = capture("dhclient-4.4.3-solicit-duid-ll.hex");
        List<Dhcp6Option> opts = new ArrayList<>(s.options().all());
        for (long iaid = 100; iaid < 400; iaid++) {
            opts.add(new Dhcp6Option.IaNa(iaid, 0, 0, Dhcp6Options.EMPTY));
        }
        Dhcp6Message.Client many = new Dhcp6Message.Client(MessageType.SOLICIT, 7, Dhcp6Options.of(opts));
        Dhcp6Message.Client m = reply(many).message();
        assertEquals(Dhcp6Responder.MAX_IA_NA, m.options().iaNa().size());
        assertTrue(dev.anvil.dhcp6.codec.Dhcp6Codec.encode(m).length
                < dev.anvil.dhcp6.codec.Dhcp6Codec.encode(many).length);
    }
}
