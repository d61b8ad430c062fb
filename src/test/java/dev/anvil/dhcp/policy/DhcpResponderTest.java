package dev.anvil.dhcp.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpOptions;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import dev.anvil.dhcp.lease.LeaseBook;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

public class DhcpResponderTest {
    static final AnvilConfig CFG = new ConfigLoader().parse("""
      http: {listen: "10.10.0.1:8080"}
      networks:
        - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99,
           dhcpPool: 10.10.0.100-10.10.0.102, router: 10.10.0.254, domain: cluster.test, serverAddress: 10.10.0.1}
        - {name: far, id: 2, cidr: 10.20.0.0/24, staticRange: 10.20.0.10-10.20.0.99,
           dhcpPool: 10.20.0.100-10.20.0.199, domain: far.test, serverAddress: 10.10.0.1}
        - {name: shared, id: 3, cidr: 10.30.0.0/24, staticRange: 10.30.0.10-10.30.0.99, domain: shared.test,
           serverAddress: 10.30.0.5, proxyDhcp: true}
      """, "test");
    static final Network ADMIN = CFG.networks().get(0);
    static final Ipv4Address SERVER = Ipv4Address.parse("10.10.0.1");
    static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    final DhcpResponder responder = new DhcpResponder(
            CFG.dhcp(),
            new dev.anvil.core.boot.BootPlanner(
                    CFG.bootEnvironments(), CFG.dhcp().loaders(), 8080));
    final LeaseBook book = new LeaseBook(
            List.of(),
            name -> CFG.networks().stream().filter(n -> n.name().equals(name)).findFirst());

    public static DhcpPacket request(MacAddress mac, MessageType type, Consumer<DhcpOptions.Builder> opts) {
        DhcpOptions.Builder b = DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, type.code());
        opts.accept(b);
        return new DhcpPacket(
                1,
                1,
                6,
                0,
                42,
                0,
                0,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                Arrays.copyOf(mac.toBytes(), 16),
                new byte[64],
                new byte[128],
                b.build());
    }

    static DhcpPacket withAddrs(DhcpPacket p, String ciaddr, String giaddr) {
        return new DhcpPacket(
                p.op(),
                p.htype(),
                p.hlen(),
                p.hops(),
                p.xid(),
                p.secs(),
                p.flags(),
                Ipv4Address.parse(ciaddr),
                p.yiaddr(),
                p.siaddr(),
                Ipv4Address.parse(giaddr),
                p.chaddr(),
                p.snameBytes(),
                p.fileBytes(),
                p.options());
    }

    static Node node(String name, String mac, String ip, String bootEnv) {
        return new Node(
                1,
                name,
                List.of(MacAddress.parse(mac)),
                List.of(new NodeAddress("admin", Ipv4Address.parse(ip))),
                bootEnv,
                Optional.empty(),
                false,
                true,
                NodeState.DISCOVERING,
                NOW,
                NOW);
    }

    Decision run(DhcpPacket p, Optional<Node> node) {
        return run(p, node, ADMIN);
    }

    Decision run(DhcpPacket p, Optional<Node> node, Network net) {
        Decision d = responder.respond(p, new DhcpResponder.Context(net, SERVER, node, book, NOW));
        d.lease().ifPresent(book::put);
        return d;
    }

    /** A UEFI HTTP-boot client of {@code arch}, as OVMF's HttpBootDxe says it. */
    static Consumer<DhcpOptions.Builder> httpBoot(int arch) {
        return b -> b.putText(DhcpOption.VENDOR_CLASS, String.format("HTTPClient:Arch:%05d:UNDI:003000", arch))
                .put(DhcpOption.CLIENT_ARCH, new byte[] {0, (byte) arch});
    }

    static Consumer<DhcpOptions.Builder> pxe(int arch) {
        return b -> b.putText(DhcpOption.VENDOR_CLASS, String.format("PXEClient:Arch:%05d:UNDI:002001", arch))
                .put(DhcpOption.CLIENT_ARCH, new byte[] {0, (byte) arch})
                .put(DhcpOption.PARAMETER_REQUEST_LIST, new byte[] {1, 3, 6, 66, 67, 60, 43});
    }

    @Test
    void unknownPxeClientGetsPoolAddressAndDiscoveryLoaderPerFirmware() {
        DhcpPacket offer = run(request(MAC, MessageType.DISCOVER, pxe(0)), Optional.empty())
                .reply()
                .orElseThrow();
        assertEquals("10.10.0.100", offer.yiaddr().toString());
        assertEquals(SERVER, offer.siaddr());
        assertEquals("undionly.kpxe", offer.file());
        assertFalse(offer.options().has(DhcpOption.VENDOR_CLASS), "no PXEClient: OVMF would ask port 4011 first");
        assertEquals(
                "undionly.kpxe", offer.options().text(DhcpOption.BOOTFILE_NAME).orElseThrow());
        assertEquals(
                "10.10.0.1", offer.options().text(DhcpOption.TFTP_SERVER_NAME).orElseThrow());
        assertEquals(MessageType.OFFER, offer.options().messageType().orElseThrow());
        assertEquals(List.of(53, 1, 3, 6, 66, 67), codes(offer).subList(0, 6), "client's order first");

        MacAddress uefi = MacAddress.parse("52:54:00:00:00:07");
        assertEquals(
                "snponly.efi",
                run(request(uefi, MessageType.DISCOVER, pxe(7)), Optional.empty())
                        .reply()
                        .orElseThrow()
                        .file());
        assertEquals(
                "snponly.efi",
                run(request(uefi, MessageType.DISCOVER, pxe(9)), Optional.empty())
                        .reply()
                        .orElseThrow()
                        .file());
        assertEquals(
                "grubnetaa64.efi",
                run(request(uefi, MessageType.DISCOVER, pxe(11)), Optional.empty())
                        .reply()
                        .orElseThrow()
                        .file());
    }

    static List<Integer> codes(DhcpPacket p) {
        List<Integer> out = new java.util.ArrayList<>();
        p.options().codes().forEach(out::add);
        return out;
    }

    @Test
    void ipxeGetsItsScriptUrlAndHttpBootGetsUrlAndHttpClient() {
        DhcpPacket ipxe = run(
                        request(
                                MAC,
                                MessageType.DISCOVER,
                                pxe(0).andThen(b -> b.putText(DhcpOption.USER_CLASS, "iPXE"))),
                        Optional.empty())
                .reply()
                .orElseThrow();
        assertEquals("http://10.10.0.1:8080/nodes/52-54-00-12-34-56/boot.ipxe", ipxe.file());
        DhcpPacket http = run(
                        request(
                                MAC,
                                MessageType.DISCOVER,
                                b -> b.putText(DhcpOption.VENDOR_CLASS, "HTTPClient:Arch:00016:UNDI:003001")
                                        .put(DhcpOption.CLIENT_ARCH, new byte[] {0, 16})),
                        Optional.empty())
                .reply()
                .orElseThrow();
        assertEquals("http://10.10.0.1:8080/boot/ipxe.efi", http.file());
        assertEquals("HTTPClient", http.options().vendorClass().orElseThrow());
    }

    @Test
    void aNetworkBootClientOfAnArchitectureWithoutALoaderGetsAnAddressNoBootAnswerAndAReason() {
        Decision d = run(request(MAC, MessageType.DISCOVER, httpBoot(0x1c)), Optional.empty());
        DhcpPacket offer = d.reply().orElseThrow();
        assertNotEquals(DhcpPacket.ZERO_ADDRESS, offer.yiaddr(), "an address all the same");
        assertEquals("", offer.file());
        assertFalse(offer.options().has(DhcpOption.BOOTFILE_NAME));
        assertFalse(offer.options().has(DhcpOption.VENDOR_CLASS), "no HTTPClient: no HTTP boot answer");
        assertTrue(
                d.missingLoader()
                        .orElseThrow()
                        .startsWith("client architecture 28 (0x1c, RISC-V 64-bit UEFI HTTP boot)"),
                d.missingLoader().toString());

        MacAddress other = MacAddress.parse("52:54:00:12:34:57");
        assertEquals(
                Optional.empty(),
                run(request(other, MessageType.DISCOVER, b -> {}), Optional.empty())
                        .missingLoader(),
                "a plain DHCP client asked for no boot");
        Decision x64 = run(request(other, MessageType.DISCOVER, httpBoot(16)), Optional.empty());
        assertEquals(Optional.empty(), x64.missingLoader());

        // proxyDHCP: nothing to send at all, and the reason why
        Decision proxy = run(
                request(MAC, MessageType.DISCOVER, pxe(0x1b)),
                Optional.empty(),
                CFG.networks().get(2));
        assertEquals(Optional.empty(), proxy.reply());
        assertTrue(proxy.missingLoader().orElseThrow().contains("27 (0x1b, RISC-V 64-bit UEFI)"));
    }

    @Test
    void plainDhcpClientGetsNoBootFile() {
        DhcpPacket offer = run(request(MAC, MessageType.DISCOVER, b -> {}), Optional.empty())
                .reply()
                .orElseThrow();
        assertEquals("", offer.file());
        assertFalse(offer.options().has(DhcpOption.VENDOR_CLASS));
        assertEquals(DhcpPacket.ZERO_ADDRESS, offer.siaddr());
        assertArrayEquals(
                ADMIN.cidr().netmask().toBytes(),
                offer.options().get(DhcpOption.SUBNET_MASK).orElseThrow());
        assertEquals(
                "cluster.test", offer.options().text(DhcpOption.DOMAIN_NAME).orElseThrow());
        assertEquals(
                3600,
                java.nio.ByteBuffer.wrap(
                                offer.options().get(DhcpOption.LEASE_TIME).orElseThrow())
                        .getInt());
    }

    @Test
    void knownNodeAlwaysGetsItsReservationAndItsBootEnvironment() {
        Node n = node("n1.cluster.test", "52:54:00:12:34:56", "10.10.0.42", "sledgehammer");
        DhcpPacket offer = run(
                        request(
                                MAC,
                                MessageType.DISCOVER,
                                pxe(0).andThen(b -> b.put(DhcpOption.REQUESTED_IP, Ipv4Address.parse("10.10.0.101")))),
                        Optional.of(n))
                .reply()
                .orElseThrow();
        assertEquals("10.10.0.42", offer.yiaddr().toString());
        assertEquals("n1", offer.options().text(DhcpOption.HOST_NAME).orElseThrow());
        Node local = node("n1.cluster.test", "52:54:00:12:34:56", "10.10.0.42", "local");
        DhcpPacket ack = run(
                        request(
                                MAC,
                                MessageType.REQUEST,
                                pxe(0).andThen(b -> b.put(DhcpOption.SERVER_ID, SERVER)
                                        .put(DhcpOption.REQUESTED_IP, Ipv4Address.parse("10.10.0.42")))),
                        Optional.of(local))
                .reply()
                .orElseThrow();
        assertEquals(MessageType.ACK, ack.options().messageType().orElseThrow());
        assertEquals("", ack.file(), "local boot: no file, the firmware goes on to the disk");
        Decision wrong = run(
                request(
                        MAC,
                        MessageType.REQUEST,
                        b -> b.put(DhcpOption.REQUESTED_IP, Ipv4Address.parse("10.10.0.100"))),
                Optional.of(local));
        assertEquals(MessageType.NAK, wrong.replyType().orElseThrow(), "a known node cannot keep a pool address");
    }

    @Test
    void requestStatesOfRfc2131() {
        DhcpPacket offer = run(request(MAC, MessageType.DISCOVER, b -> {}), Optional.empty())
                .reply()
                .orElseThrow();
        Ipv4Address ip = offer.yiaddr();
        assertEquals(Lease.State.OFFERED, book.at(ip).orElseThrow().state());
        // SELECTING another server: silence.
        assertTrue(run(
                        request(
                                MAC,
                                MessageType.REQUEST,
                                b -> b.put(DhcpOption.SERVER_ID, Ipv4Address.parse("10.10.0.9"))
                                        .put(DhcpOption.REQUESTED_IP, ip)),
                        Optional.empty())
                .reply()
                .isEmpty());
        // SELECTING us: ACK and an active lease.
        Decision ack = run(
                request(
                        MAC,
                        MessageType.REQUEST,
                        b -> b.put(DhcpOption.SERVER_ID, SERVER).put(DhcpOption.REQUESTED_IP, ip)),
                Optional.empty());
        assertEquals(MessageType.ACK, ack.replyType().orElseThrow());
        assertEquals(Lease.State.ACTIVE, ack.lease().orElseThrow().state());
        assertEquals(NOW.plusSeconds(3600), ack.lease().orElseThrow().expires());
        // INIT-REBOOT on a foreign network: NAK; RENEWING (ciaddr): ACK; someone else's address: NAK.
        Decision foreign = run(
                request(
                        MAC,
                        MessageType.REQUEST,
                        b -> b.put(DhcpOption.REQUESTED_IP, Ipv4Address.parse("192.168.1.5"))),
                Optional.empty());
        assertEquals(MessageType.NAK, foreign.replyType().orElseThrow());
        assertTrue(foreign.reply()
                .orElseThrow()
                .options()
                .text(DhcpOption.MESSAGE)
                .orElseThrow()
                .contains("not on"));
        assertEquals(
                MessageType.ACK,
                run(withAddrs(request(MAC, MessageType.REQUEST, b -> {}), ip.toString(), "0.0.0.0"), Optional.empty())
                        .replyType()
                        .orElseThrow());
        // INIT-REBOOT from a client this server has no record of: silence (RFC 2131 4.3.2: it may be another
        // server's client), even for an address that is taken here.
        MacAddress other = MacAddress.parse("52:54:00:00:00:02");
        Decision unknown =
                run(request(other, MessageType.REQUEST, b -> b.put(DhcpOption.REQUESTED_IP, ip)), Optional.empty());
        assertTrue(unknown.reply().isEmpty(), unknown.reason());
        assertTrue(unknown.reason().contains("no record"), unknown.reason());
        // The other client is offered a different address (now it has a record here); the first keeps its own.
        assertNotEquals(
                ip,
                run(request(other, MessageType.DISCOVER, b -> {}), Optional.empty())
                        .reply()
                        .orElseThrow()
                        .yiaddr());
        // With a record, an INIT-REBOOT for someone else's address is NAKed.
        assertEquals(
                MessageType.NAK,
                run(request(other, MessageType.REQUEST, b -> b.put(DhcpOption.REQUESTED_IP, ip)), Optional.empty())
                        .replyType()
                        .orElseThrow());
        assertEquals(
                ip,
                run(request(MAC, MessageType.DISCOVER, b -> {}), Optional.empty())
                        .reply()
                        .orElseThrow()
                        .yiaddr());
    }

    /** dhcp.authoritative (dnsmasq's dhcp-authoritative): a client with no record is answered, ACK or NAK. */
    @Test
    void anAuthoritativeServerAnswersInitRebootWithoutARecord() {
        AnvilConfig auth = new ConfigLoader().parse("""
        dhcp: {authoritative: true}
        networks:
          - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99,
             dhcpPool: 10.10.0.100-10.10.0.102, domain: cluster.test, serverAddress: 10.10.0.1}
        """, "test");
        assertTrue(auth.dhcp().authoritative());
        assertFalse(CFG.dhcp().authoritative(), "RFC 2131 behaviour by default");
        DhcpResponder r = new DhcpResponder(
                auth.dhcp(),
                new dev.anvil.core.boot.BootPlanner(
                        auth.bootEnvironments(), auth.dhcp().loaders(), 8080));
        Network net = auth.networks().get(0);
        Decision free = r.respond(
                request(
                        MAC,
                        MessageType.REQUEST,
                        b -> b.put(DhcpOption.REQUESTED_IP, Ipv4Address.parse("10.10.0.101"))),
                new DhcpResponder.Context(net, SERVER, Optional.empty(), book, NOW));
        assertEquals(MessageType.ACK, free.replyType().orElseThrow(), free.reason());
        Decision reserved = r.respond(
                request(MAC, MessageType.REQUEST, b -> b.put(DhcpOption.REQUESTED_IP, Ipv4Address.parse("10.10.0.20"))),
                new DhcpResponder.Context(net, SERVER, Optional.empty(), book, NOW));
        assertEquals(MessageType.NAK, reserved.replyType().orElseThrow(), "a static address is no pool client's");
        // The same requests to the default (non-authoritative) responder: silence.
        assertTrue(run(
                        request(
                                MAC,
                                MessageType.REQUEST,
                                b -> b.put(DhcpOption.REQUESTED_IP, Ipv4Address.parse("10.10.0.101"))),
                        Optional.empty())
                .reply()
                .isEmpty());
    }

    @Test
    void declineQuarantinesReleaseFreesAndExhaustionDrops() {
        Ipv4Address first = ackFor(MAC);
        Decision decline = run(
                request(
                        MAC,
                        MessageType.DECLINE,
                        b -> b.put(DhcpOption.SERVER_ID, SERVER).put(DhcpOption.REQUESTED_IP, first)),
                Optional.empty());
        assertTrue(decline.reply().isEmpty());
        assertEquals(Lease.State.DECLINED, book.at(first).orElseThrow().state());
        Ipv4Address second = ackFor(MAC);
        assertNotEquals(first, second, "a declined address is not offered again");
        Decision release = run(
                withAddrs(
                        request(MAC, MessageType.RELEASE, b -> b.put(DhcpOption.SERVER_ID, SERVER)),
                        second.toString(),
                        "0.0.0.0"),
                Optional.empty());
        assertEquals(Lease.State.RELEASED, release.lease().orElseThrow().state());
        ackFor(MacAddress.parse("52:54:00:00:00:03"));
        ackFor(MacAddress.parse("52:54:00:00:00:04"));
        // Pool of 3: one declined, two taken by new clients... the released one went to one of them or is free.
        Decision none =
                run(request(MacAddress.parse("52:54:00:00:00:05"), MessageType.DISCOVER, b -> {}), Optional.empty());
        assertTrue(none.reply().isEmpty());
        assertEquals("DHCP pool exhausted", none.reason());
    }

    Ipv4Address ackFor(MacAddress mac) {
        Ipv4Address ip = run(request(mac, MessageType.DISCOVER, b -> {}), Optional.empty())
                .reply()
                .orElseThrow()
                .yiaddr();
        assertEquals(
                MessageType.ACK,
                run(
                                request(
                                        mac,
                                        MessageType.REQUEST,
                                        b -> b.put(DhcpOption.SERVER_ID, SERVER).put(DhcpOption.REQUESTED_IP, ip)),
                                Optional.empty())
                        .replyType()
                        .orElseThrow());
        return ip;
    }

    @Test
    void relayedRequestEchoesOption82LastAndUuid() {
        byte[] agent = {1, 4, 'p', 'o', 'r', 't', 2, 2, 'x', 'y'};
        byte[] uuid = new byte[17];
        uuid[5] = 9;
        DhcpPacket req = withAddrs(
                request(
                        MAC,
                        MessageType.DISCOVER,
                        pxe(7).andThen(b ->
                                b.put(DhcpOption.CLIENT_UUID, uuid).put(DhcpOption.RELAY_AGENT_INFO, agent))),
                "0.0.0.0",
                "10.20.0.1");
        DhcpPacket offer =
                run(req, Optional.empty(), CFG.networks().get(1)).reply().orElseThrow();
        assertEquals("10.20.0.100", offer.yiaddr().toString());
        assertEquals("10.20.0.1", offer.giaddr().toString());
        List<Integer> codes = codes(offer);
        assertEquals(DhcpOption.RELAY_AGENT_INFO, codes.get(codes.size() - 1));
        assertArrayEquals(
                agent, offer.options().get(DhcpOption.RELAY_AGENT_INFO).orElseThrow());
        assertArrayEquals(uuid, offer.options().get(DhcpOption.CLIENT_UUID).orElseThrow());
        DhcpPacket nak = run(
                        withAddrs(
                                request(
                                        MAC,
                                        MessageType.REQUEST,
                                        b -> b.put(DhcpOption.REQUESTED_IP, Ipv4Address.parse("10.10.0.5"))),
                                "0.0.0.0",
                                "10.20.0.1"),
                        Optional.empty(),
                        CFG.networks().get(1))
                .reply()
                .orElseThrow();
        assertTrue(nak.broadcastFlag(), "a NAK through a relay asks it to broadcast");
    }

    @Test
    void informGetsOptionsButNoLease() {
        Decision d =
                run(withAddrs(request(MAC, MessageType.INFORM, b -> {}), "10.10.0.77", "0.0.0.0"), Optional.empty());
        DhcpPacket ack = d.reply().orElseThrow();
        assertEquals(MessageType.ACK, ack.options().messageType().orElseThrow());
        assertEquals(DhcpPacket.ZERO_ADDRESS, ack.yiaddr());
        assertEquals("10.10.0.77", ack.ciaddr().toString());
        assertFalse(ack.options().has(DhcpOption.LEASE_TIME));
        assertTrue(d.lease().isEmpty());
    }

    @Test
    void dropsWhatIsNotAClientRequest() {
        assertEquals(
                "no or unknown message type (BOOTP is not served)",
                run(request(MAC, MessageType.DISCOVER, b -> b.remove(DhcpOption.MESSAGE_TYPE)), Optional.empty())
                        .reason());
        assertTrue(run(request(MAC, MessageType.OFFER, b -> {}), Optional.empty())
                .reply()
                .isEmpty());
    }

    @Test
    void proxyDhcpAnswersOnlyTheBootQuestion() {
        Network shared = CFG.networks().get(2);
        DhcpPacket offer = run(request(MAC, MessageType.DISCOVER, pxe(7)), Optional.empty(), shared)
                .reply()
                .orElseThrow();
        assertEquals(DhcpPacket.ZERO_ADDRESS, offer.yiaddr(), "no address from a proxy");
        assertEquals("snponly.efi", offer.file());
        assertEquals(SERVER, offer.siaddr());
        assertEquals("PXEClient", offer.options().vendorClass().orElseThrow());
        assertArrayEquals(
                new byte[] {6, 1, 8, (byte) 255},
                offer.options().get(DhcpOption.VENDOR_SPECIFIC).orElseThrow());
        assertFalse(offer.options().has(DhcpOption.LEASE_TIME));
        assertTrue(
                run(request(MAC, MessageType.DISCOVER, b -> {}), Optional.empty(), shared)
                        .reply()
                        .isEmpty(),
                "plain clients are the other server's");
        assertTrue(
                run(request(MAC, MessageType.REQUEST, pxe(7)), Optional.empty(), shared)
                        .reply()
                        .isEmpty(),
                "address requests are the other server's");
        // Port 4011: the client, now with an address from the other server, asks the boot server.
        DhcpPacket bootReq = withAddrs(request(MAC, MessageType.REQUEST, pxe(0)), "10.30.0.77", "0.0.0.0");
        Decision ack = responder.respondBootServer(
                bootReq, new DhcpResponder.Context(shared, SERVER, Optional.empty(), book, NOW));
        DhcpPacket a = ack.reply().orElseThrow();
        assertEquals(MessageType.ACK, a.options().messageType().orElseThrow());
        assertEquals("undionly.kpxe", a.file());
        assertEquals("10.30.0.77", a.ciaddr().toString());
        assertTrue(ack.lease().isEmpty());
    }

    @Test
    void ipxeAskingFor175IsToldNotToWaitForProxyDhcp() {
        DhcpPacket offer = run(
                        request(
                                MAC,
                                MessageType.DISCOVER,
                                pxe(0).andThen(b -> b.putText(DhcpOption.USER_CLASS, "iPXE")
                                        .put(DhcpOption.PARAMETER_REQUEST_LIST, new byte[] {1, 3, 67, (byte) 175}))),
                        Optional.empty())
                .reply()
                .orElseThrow();
        assertArrayEquals(
                new byte[] {(byte) 176, 1, 1},
                offer.options().get(DhcpOption.IPXE_ENCAP).orElseThrow());
    }

    @Test
    void aReservationStillLeasedToAnotherMacWaitsAndTheNodeIsServedFromThePoolMeanwhile() {
        // The address's former holder (a deleted node, another machine) still has a binding on it.
        MacAddress former = MacAddress.parse("52:54:00:99:99:99");
        book.put(new Lease(Ipv4Address.parse("10.10.0.42"), former, "admin", NOW.plusSeconds(600), Lease.State.ACTIVE));
        Node n = node("n1.cluster.test", "52:54:00:12:34:56", "10.10.0.42", "sledgehammer");
        Decision d = run(request(MAC, MessageType.DISCOVER, pxe(0)), Optional.of(n));
        assertEquals("10.10.0.100", d.reply().orElseThrow().yiaddr().toString(), "not the address another MAC holds");
        assertTrue(d.reason().contains("reservation 10.10.0.42 still leased to another MAC"), d.reason());
        // Asking for the reservation itself is refused while the other lease lives ...
        Decision nak = run(
                request(MAC, MessageType.REQUEST, b -> b.put(DhcpOption.REQUESTED_IP, Ipv4Address.parse("10.10.0.42"))),
                Optional.of(n));
        assertEquals(MessageType.NAK, nak.replyType().orElseThrow());
        // ... and the former holder is refused at its renewal: the address is reserved for someone else.
        Decision renew = run(
                withAddrs(request(former, MessageType.REQUEST, b -> {}), "10.10.0.42", "0.0.0.0"), Optional.empty());
        assertEquals(MessageType.NAK, renew.replyType().orElseThrow());
        // Once the other lease is released, the node gets its reservation.
        book.put(new Lease(
                Ipv4Address.parse("10.10.0.42"), former, "admin", NOW.plusSeconds(600), Lease.State.RELEASED));
        assertEquals(
                "10.10.0.42",
                run(request(MAC, MessageType.DISCOVER, pxe(0)), Optional.of(n))
                        .reply()
                        .orElseThrow()
                        .yiaddr()
                        .toString());
    }

    @Test
    void aReservationLeasedToTheNodesOwnOtherMacIsNoConflict() {
        MacAddress second = MacAddress.parse("52:54:00:12:34:57");
        book.put(new Lease(Ipv4Address.parse("10.10.0.42"), second, "admin", NOW.plusSeconds(600), Lease.State.ACTIVE));
        Node n = new Node(
                1,
                "n1.cluster.test",
                List.of(MAC, second),
                List.of(new NodeAddress("admin", Ipv4Address.parse("10.10.0.42"))),
                "sledgehammer",
                Optional.empty(),
                false,
                true,
                NodeState.DISCOVERING,
                NOW,
                NOW);
        assertEquals(
                "10.10.0.42",
                run(request(MAC, MessageType.DISCOVER, pxe(0)), Optional.of(n))
                        .reply()
                        .orElseThrow()
                        .yiaddr()
                        .toString());
    }
}
