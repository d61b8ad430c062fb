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
 * arm64 UEFI from the real firmware: AAVMF 2022.11-6+deb12u2 ({@code qemu-system-aarch64 -M virt -cpu cortex-a57})
 * booting from Anvil in the e2e test (doc/e2e.md). Scenario I, its PXE off (HTTP boot): {@code
 * aavmf-http-arch19-discover.hex} and {@code -request.hex}, answered {@code anvil-offer-http-arch19.hex} and {@code
 * anvil-ack-http-arch19.hex} with the default {@code bootFiles.http-arm64}, the GRUB that {@code pxe/install-loaders.sh}
 * makes. Scenario H, its own PXE: {@code aavmf-pxe-arch11-*.hex}, answered {@code anvil-*-pxe-arch11.hex} with the
 * default {@code bootFiles.efi-arm64}, Debian's signed {@code grubnetaa64.efi}. The codec reads them byte for byte and
 * the responder, on the e2e configuration, gives the same answers again.
 */
class Arm64BootCaptureTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:e2:e0:13");
    static final MacAddress PXE_MAC = MacAddress.parse("52:54:00:e2:e0:11");
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
        DhcpPacket ack = answersAgain("http-arch19", Instant.parse("2026-12-06T23:02:19Z"), 3851, LOADER);
        assertEquals("HTTPClient", ack.options().vendorClass().orElseThrow()); // UEFI 2.x §24.7: required
        assertEquals(LOADER, ack.options().text(DhcpOption.BOOTFILE_NAME).orElseThrow());
    }

    @Test
    void aavmfPxeDiscoverDecodes() throws Exception {
        DhcpPacket p = HttpBootCaptureTest.decode("aavmf-pxe-arch11-discover.hex");
        assertEquals(347, DhcpCodecTest.capture("aavmf-pxe-arch11-discover.hex").length);
        assertEquals(MessageType.DISCOVER, p.options().messageType().orElseThrow());
        assertEquals(PXE_MAC, p.mac().orElseThrow());
        assertEquals(0x8000, p.flags());
        assertEquals(11, p.options().clientArch().orElseThrow()); // arm64 UEFI (RFC 4578, IANA)
        assertEquals(
                "PXEClient:Arch:00011:UNDI:003000", p.options().vendorClass().orElseThrow());
        assertEquals(35, p.options().parameterRequestList().length); // as OVMF's PXE: 128..135 included
        assertEquals(1472, p.options().maxMessageSize().orElseThrow());
        assertEquals(
                65280,
                HttpBootCaptureTest.decode("aavmf-pxe-arch11-request.hex")
                        .options()
                        .maxMessageSize()
                        .orElseThrow()); // as OVMF's PXE REQUEST
    }

    @Test
    void theBootPlanAnswersArm64PxeWithDebiansSignedGrubByteForByte() throws Exception {
        DhcpPacket ack = answersAgain("pxe-arch11", Instant.parse("2026-12-07T00:03:17Z"), 3807, "grubnetaa64.efi");
        assertFalse(ack.options().vendorClass().isPresent()); // a PXE client gets no 60 (doc/firmware-matrix.md)
        assertEquals(
                "grubnetaa64.efi", ack.options().text(DhcpOption.BOOTFILE_NAME).orElseThrow());
    }

    /**
     * The responder answers {@code aavmf-<kind>-discover.hex} and then {@code -request.hex} ({@code requestAfter} ms
     * later) with {@code anvil-offer-<kind>.hex} and {@code anvil-ack-<kind>.hex}, byte for byte, naming {@code file};
     * returns the ACK.
     */
    private DhcpPacket answersAgain(String kind, Instant now, long requestAfter, String file) throws Exception {
        DhcpPacket discover = HttpBootCaptureTest.decode("aavmf-" + kind + "-discover.hex");
        Decision offer = responder.respond(discover, at(now));
        DhcpPacket o = offer.reply().orElseThrow();
        offer.lease().ifPresent(book::put);
        assertEquals(MessageType.OFFER, o.options().messageType().orElseThrow());
        assertEquals(file, o.file());
        assertEquals(HttpBootCaptureTest.SERVER, o.siaddr());
        assertEquals(Ipv4Address.parse("10.215.0.100"), o.yiaddr());
        assertArrayEquals(
                DhcpCodecTest.capture("anvil-offer-" + kind + ".hex"),
                DhcpCodec.encodeReply(o, DhcpCodec.replyLimit(discover.options()))
                        .orElseThrow(),
                "the OFFER Anvil sent to AAVMF, byte for byte");
        DhcpPacket request = HttpBootCaptureTest.decode("aavmf-" + kind + "-request.hex");
        assertEquals(MessageType.REQUEST, request.options().messageType().orElseThrow());
        assertEquals(
                Ipv4Address.parse("10.215.0.100"),
                request.options().requestedIp().orElseThrow());
        assertEquals(discover.xid(), request.xid());
        Decision ack = responder.respond(request, at(now.plusMillis(requestAfter)));
        DhcpPacket a = ack.reply().orElseThrow();
        assertEquals(MessageType.ACK, a.options().messageType().orElseThrow());
        assertEquals(file, a.file());
        assertArrayEquals(
                DhcpCodecTest.capture("anvil-ack-" + kind + ".hex"),
                DhcpCodec.encodeReply(a, DhcpCodec.replyLimit(request.options()))
                        .orElseThrow(),
                "the ACK Anvil sent to AAVMF, byte for byte");
        return a;
    }
}
