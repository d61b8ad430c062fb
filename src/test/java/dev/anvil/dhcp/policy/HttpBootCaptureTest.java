package dev.anvil.dhcp.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpCodecTest;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import dev.anvil.dhcp.lease.LeaseBook;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Native UEFI HTTP boot from the real firmware: OVMF 2022.11-6+deb12u2 with its PXE off (e2e scenario F,
 * doc/e2e.md) sent {@code ovmf-http-arch16-discover.hex} and {@code ovmf-http-arch16-request.hex}, and Anvil
 * answered {@code anvil-offer-http-arch16.hex} and {@code anvil-ack-http-arch16.hex} (captured with tcpdump on the
 * lab bridge, src/test/resources/dhcp/captures/README.md). The codec reads them byte for byte, and the responder, on
 * the e2e configuration, gives the same answers again, byte for byte.
 */
class HttpBootCaptureTest {
    /** What e2e.sh configures: the network, the boot listener, the defaults for everything else. */
    static final AnvilConfig CFG = new ConfigLoader().parse("""
      http: {listen: "10.215.0.1:8080"}
      networks:
        - {name: admin, id: 1, cidr: 10.215.0.0/24, staticRange: 10.215.0.10-10.215.0.99,
           dhcpPool: 10.215.0.100-10.215.0.199, domain: cluster.test, serverAddress: 10.215.0.1, router: 10.215.0.1}
      """, "test");

    static final Ipv4Address SERVER = Ipv4Address.parse("10.215.0.1");
    static final MacAddress MAC = MacAddress.parse("52:54:00:e2:e0:0f");
    static final String LOADER = "http://10.215.0.1:8080/boot/ipxe.efi";

    final DhcpResponder responder = new DhcpResponder(
            CFG.dhcp(), new BootPlanner(CFG.bootEnvironments(), CFG.dhcp().loaders(), 8080));
    final LeaseBook book = new LeaseBook(
            List.of(),
            name -> CFG.networks().stream().filter(n -> n.name().equals(name)).findFirst());

    static DhcpPacket decode(String name) throws Exception {
        byte[] wire = DhcpCodecTest.capture(name);
        DhcpPacket p = DhcpCodec.decode(wire);
        assertArrayEquals(wire, DhcpCodec.encode(p, wire.length, wire.length), name + " re-encodes byte for byte");
        return p;
    }

    @Test
    void ovmfHttpClientDiscoverDecodes() throws Exception {
        DhcpPacket p = decode("ovmf-http-arch16-discover.hex");
        assertEquals(340, DhcpCodecTest.capture("ovmf-http-arch16-discover.hex").length);
        assertEquals(MessageType.DISCOVER, p.options().messageType().orElseThrow());
        assertEquals(MAC, p.mac().orElseThrow());
        assertEquals(0xfc68252a, p.xid());
        assertEquals(0x8000, p.flags()); // OVMF asks for a broadcast reply, as in its PXE
        assertEquals(0, p.secs());
        assertEquals(16, p.options().clientArch().orElseThrow()); // x64 UEFI HTTP boot (RFC 4578, IANA)
        assertEquals(
                "HTTPClient:Arch:00016:UNDI:003000", p.options().vendorClass().orElseThrow());
        assertArrayEquals(
                new byte[] {1, 3, 0}, p.options().get(DhcpOption.CLIENT_NDI).orElseThrow());
        assertEquals(1472, p.options().maxMessageSize().orElseThrow());
        int[] prl = p.options().parameterRequestList();
        assertEquals(27, prl.length);
        assertTrue(IntStream.of(prl).anyMatch(c -> c == DhcpOption.VENDOR_CLASS), "asks for option 60");
        assertTrue(IntStream.of(prl).anyMatch(c -> c == DhcpOption.BOOTFILE_NAME), "asks for option 67");
        assertFalse(p.options().has(DhcpOption.CLIENT_ID)); // no option 61, as in OVMF's PXE
        assertEquals(
                List.of(53, 57, 55, 97, 94, 93, 60),
                Arrays.stream(toArray(p.options().codes())).boxed().toList());
    }

    @Test
    void ovmfHttpClientRequestDecodes() throws Exception {
        DhcpPacket p = decode("ovmf-http-arch16-request.hex");
        assertEquals(MessageType.REQUEST, p.options().messageType().orElseThrow());
        assertEquals(0xfc68252a, p.xid()); // the DISCOVER's transaction
        assertEquals(SERVER, p.options().serverId().orElseThrow());
        assertEquals(
                Ipv4Address.parse("10.215.0.100"), p.options().requestedIp().orElseThrow());
        assertEquals(16, p.options().clientArch().orElseThrow());
        assertEquals(
                "HTTPClient:Arch:00016:UNDI:003000", p.options().vendorClass().orElseThrow());
        assertEquals(
                List.of(53, 54, 50, 57, 55, 97, 94, 93, 60),
                Arrays.stream(toArray(p.options().codes())).boxed().toList());
    }

    @Test
    void theBootPlanAnswersTheFirmwareWithAnHttpLoaderAndHttpClient() throws Exception {
        Instant now = Instant.parse("2026-12-06T19:43:18Z");
        DhcpPacket discover = decode("ovmf-http-arch16-discover.hex");
        Decision offer = responder.respond(
                discover, new DhcpResponder.Context(CFG.networks().get(0), SERVER, Optional.empty(), book, now));
        DhcpPacket o = offer.reply().orElseThrow();
        offer.lease().ifPresent(book::put);
        assertEquals(LOADER, o.file());
        assertEquals(LOADER, o.options().text(DhcpOption.BOOTFILE_NAME).orElseThrow());
        assertEquals("HTTPClient", o.options().vendorClass().orElseThrow()); // UEFI 2.x §24.7: required
        assertEquals(SERVER, o.siaddr());
        assertEquals(Ipv4Address.parse("10.215.0.100"), o.yiaddr());
        assertArrayEquals(
                DhcpCodecTest.capture("anvil-offer-http-arch16.hex"),
                DhcpCodec.encodeReply(o, DhcpCodec.replyLimit(discover.options()))
                        .orElseThrow(),
                "the OFFER Anvil sent to OVMF, byte for byte");

        DhcpPacket request = decode("ovmf-http-arch16-request.hex");
        Decision ack = responder.respond(
                request,
                new DhcpResponder.Context(CFG.networks().get(0), SERVER, Optional.empty(), book, now.plusMillis(3739)));
        DhcpPacket a = ack.reply().orElseThrow();
        assertEquals(MessageType.ACK, a.options().messageType().orElseThrow());
        assertEquals(LOADER, a.file());
        assertEquals("HTTPClient", a.options().vendorClass().orElseThrow());
        assertArrayEquals(
                DhcpCodecTest.capture("anvil-ack-http-arch16.hex"),
                DhcpCodec.encodeReply(a, DhcpCodec.replyLimit(request.options()))
                        .orElseThrow(),
                "the ACK Anvil sent to OVMF, byte for byte");
    }

    static int[] toArray(Iterable<Integer> codes) {
        List<Integer> l = new java.util.ArrayList<>();
        codes.forEach(l::add);
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
