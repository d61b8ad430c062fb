package dev.anvil.dhcp.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
import org.junit.jupiter.api.Test;

/**
 * arm64 UEFI HTTP boot from the real firmware: AAVMF 2022.11-6+deb12u2 ({@code qemu-system-aarch64 -M virt -cpu
 * cortex-a57}) with its PXE off (e2e scenario I, doc/e2e.md) sent {@code aavmf-http-arch19-discover.hex} and
 * {@code aavmf-http-arch19-request.hex}; Anvil answered {@code anvil-offer-http-arch19.hex} and
 * {@code anvil-ack-http-arch19.hex} with the default {@code bootFiles.http-arm64}, the GRUB that
 * {@code pxe/install-loaders.sh} makes. The codec reads them byte for byte and the responder, on the e2e
 * configuration, gives the same answers again.
 */
class Arm64HttpBootCaptureTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:e2:e0:13");
    static final String LOADER = "http://10.215.0.1:8080/boot/grubhttpaa64.efi";

    final DhcpResponder responder = new DhcpResponder(
            HttpBootCaptureTest.CFG.dhcp(),
            new BootPlanner(
                    HttpBootCaptureTest.CFG.bootEnvironments(),
                    HttpBootCaptureTest.CFG.dhcp().loaders(),
                    8080));
    final LeaseBook book = new LeaseBook(
            List.of(),
            name -> HttpBootCaptureTest.CFG.networks().stream()
                    .filter(n -> n.name().equals(name))
                    .findFirst());

    /** The e2e network, as the packets arrived on it, at {@code now}. */
    private DhcpResponder.Context at(Instant now) {
        return new DhcpResponder.Context(
                HttpBootCaptureTest.CFG.networks().get(0), HttpBootCaptureTest.SERVER, Optional.empty(), book, now);
    }

    @Test
    void aavmfHttpClientDiscoverDecodes() throws Exception {
        DhcpPacket p = HttpBootCaptureTest.decode("aavmf-http-arch19-discover.hex");
        assertEquals(340, DhcpCodecTest.capture("aavmf-http-arch19-discover.hex").length);
        assertEquals(MessageType.DISCOVER, p.options().messageType().orElseThrow());
        assertEquals(MAC, p.mac().orElseThrow());
        assertEquals(0x48bddee3, p.xid());
        assertEquals(0x8000, p.flags());
        assertEquals(0, p.secs());
        assertEquals(19, p.options().clientArch().orElseThrow()); // arm64 UEFI HTTP boot (RFC 4578, IANA)
        assertEquals(
                "HTTPClient:Arch:00019:UNDI:003000", p.options().vendorClass().orElseThrow());
        assertArrayEquals(
                new byte[] {1, 3, 0}, p.options().get(DhcpOption.CLIENT_NDI).orElseThrow());
        assertEquals(1472, p.options().maxMessageSize().orElseThrow());
        // the 27 codes of OVMF's HTTP boot, but a 0 where x64 OVMF asks for 234
        assertEquals(
                List.of(
                        1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 0, 67,
                        97),
                Arrays.stream(p.options().parameterRequestList()).boxed().toList());
        assertFalse(p.options().has(DhcpOption.CLIENT_ID));
        assertEquals(
                List.of(53, 57, 55, 97, 94, 93, 60),
                Arrays.stream(HttpBootCaptureTest.toArray(p.options().codes()))
                        .boxed()
                        .toList());
    }

    @Test
    void theBootPlanAnswersWithTheHttpGrubAndHttpClientByteForByte() throws Exception {
        Instant now = Instant.parse("2026-12-06T23:02:19Z");
        DhcpPacket discover = HttpBootCaptureTest.decode("aavmf-http-arch19-discover.hex");
        Decision offer = responder.respond(discover, at(now));
        DhcpPacket o = offer.reply().orElseThrow();
        offer.lease().ifPresent(book::put);
        assertEquals(LOADER, o.file());
        assertEquals(LOADER, o.options().text(DhcpOption.BOOTFILE_NAME).orElseThrow());
        assertEquals("HTTPClient", o.options().vendorClass().orElseThrow());
        assertEquals(HttpBootCaptureTest.SERVER, o.siaddr());
        assertEquals(Ipv4Address.parse("10.215.0.100"), o.yiaddr());
        assertArrayEquals(
                DhcpCodecTest.capture("anvil-offer-http-arch19.hex"),
                DhcpCodec.encodeReply(o, DhcpCodec.replyLimit(discover.options()))
                        .orElseThrow(),
                "the OFFER Anvil sent to AAVMF, byte for byte");

        DhcpPacket request = HttpBootCaptureTest.decode("aavmf-http-arch19-request.hex");
        assertEquals(MessageType.REQUEST, request.options().messageType().orElseThrow());
        assertEquals(
                Ipv4Address.parse("10.215.0.100"),
                request.options().requestedIp().orElseThrow());
        assertEquals(19, request.options().clientArch().orElseThrow());
        Decision ack = responder.respond(request, at(now.plusMillis(3851)));
        DhcpPacket a = ack.reply().orElseThrow();
        assertEquals(MessageType.ACK, a.options().messageType().orElseThrow());
        assertEquals(LOADER, a.file());
        assertArrayEquals(
                DhcpCodecTest.capture("anvil-ack-http-arch19.hex"),
                DhcpCodec.encodeReply(a, DhcpCodec.replyLimit(request.options()))
                        .orElseThrow(),
                "the ACK Anvil sent to AAVMF, byte for byte");
    }
}
