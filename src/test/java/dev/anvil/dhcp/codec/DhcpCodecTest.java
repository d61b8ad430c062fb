package dev.anvil.dhcp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

public class DhcpCodecTest {

    /** A captured packet from src/test/resources/dhcp/captures (see the README there for its origin). */
    public static byte[] capture(String name) throws IOException {
        try (InputStream in = DhcpCodecTest.class.getResourceAsStream("/dhcp/captures/" + name)) {
            if (in == null) {
                throw new IOException("no capture " + name);
            }
            return HexFormat.of()
                    .parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s", ""));
        }
    }

    static Stream<String> captures() throws IOException {
        try (InputStream in = DhcpCodecTest.class.getResourceAsStream("/dhcp/captures/")) {
            String listing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Arrays.stream(listing.split("\n")).filter(n -> n.endsWith(".hex")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("captures")
    void everyCaptureRoundTripsByteForByte(String name) throws Exception {
        byte[] wire = capture(name);
        DhcpPacket p = DhcpCodec.decode(wire);
        assertArrayEquals(
                wire, DhcpCodec.encode(p, Math.max(wire.length, DhcpCodec.DEFAULT_MAX_SIZE), wire.length), name);
        assertEquals(p, DhcpCodec.decode(DhcpCodec.encode(p, 1500, 0)));
    }

    @Test
    void dhclientDiscover() throws Exception {
        DhcpPacket p = DhcpCodec.decode(capture("dhclient-4.4.3-discover.hex"));
        assertEquals(DhcpPacket.BOOTREQUEST, p.op());
        assertEquals(MessageType.DISCOVER, p.options().messageType().orElseThrow());
        assertEquals(MacAddress.parse("e6:eb:a7:f0:92:19"), p.mac().orElseThrow());
        assertEquals(0x6545ac33, p.xid());
        assertTrue(p.options().parameterRequestList().length > 5);
        assertFalse(p.options().has(DhcpOption.CLIENT_ARCH));
    }

    @Test
    void udhcpcPxeDiscoverCarriesArchAndVendorClass() throws Exception {
        DhcpPacket p = DhcpCodec.decode(capture("udhcpc-1.35-pxe-arch7-discover.hex"));
        assertEquals(7, p.options().clientArch().orElseThrow());
        assertEquals(
                "PXEClient:Arch:00007:UNDI:003016", p.options().vendorClass().orElseThrow());
    }

    static DhcpPacket sample(DhcpOptions o) {
        byte[] chaddr = Arrays.copyOf(MacAddress.parse("52:54:00:12:34:56").toBytes(), 16);
        return new DhcpPacket(
                1,
                1,
                6,
                0,
                0x1234,
                0,
                0x8000,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                Ipv4Address.parse("10.0.0.1"),
                chaddr,
                new byte[64],
                new byte[128],
                o);
    }

    @Test
    void longOptionsAreSplitAndRejoined() throws Exception {
        byte[] big = new byte[600];
        new SplittableRandom(1).nextBytes(big);
        DhcpPacket p = sample(DhcpOptions.builder()
                .putByte(DhcpOption.MESSAGE_TYPE, 1)
                .put(224, big)
                .build());
        byte[] wire = DhcpCodec.encode(p, 1500, 300);
        assertEquals(240 + 3 + (2 + 255) * 2 + (2 + 90) + 1, wire.length);
        assertArrayEquals(big, DhcpCodec.decode(wire).options().get(224).orElseThrow());
    }

    @Test
    void aLongOptionSplitAcrossTheOptionsAreaAndFileComesBackWhole() throws Exception {
        byte[] big = new byte[300];
        new SplittableRandom(2).nextBytes(big);
        DhcpPacket p = sample(DhcpOptions.builder()
                .putByte(DhcpOption.MESSAGE_TYPE, 2)
                .put(224, big)
                .put(225, new byte[10])
                .build());
        byte[] wire = DhcpCodec.encode(p);
        assertTrue(wire.length <= 548, "fits " + wire.length);
        DhcpPacket back = DhcpCodec.decode(wire);
        assertEquals(1, back.options().get(DhcpOption.OVERLOAD).orElseThrow()[0], "file used");
        assertArrayEquals(big, back.options().get(224).orElseThrow());
        assertArrayEquals(new byte[10], back.options().get(225).orElseThrow());
    }

    @Test
    void optionsBeyondTheLimitOverloadFileThenSname() throws Exception {
        DhcpOptions.Builder b = DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, 2);
        // 7 options of 62 wire bytes: 4 fill the 308-byte options area, 2 go to file, 1 to sname.
        for (int code = 200; code < 207; code++) {
            b.put(code, new byte[60]);
        }
        DhcpPacket p = sample(b.build());
        byte[] wire = DhcpCodec.encode(p);
        assertTrue(wire.length <= 548, "fits " + wire.length);
        DhcpPacket back = DhcpCodec.decode(wire);
        assertTrue(back.options().has(DhcpOption.OVERLOAD));
        assertEquals(3, back.options().get(DhcpOption.OVERLOAD).orElseThrow()[0], "file and sname used");
        for (int code = 200; code < 207; code++) {
            assertArrayEquals(new byte[60], back.options().get(code).orElseThrow());
        }
        assertEquals("", back.file(), "file carries options, not a name");
        // Re-encoding with room to spare drops the overload and the option-bearing fields.
        DhcpPacket again = DhcpCodec.decode(DhcpCodec.encode(back, 1500, 300));
        assertFalse(again.options().has(DhcpOption.OVERLOAD));
        assertArrayEquals(new byte[128], again.fileBytes());
    }

    @Test
    void unknownOptionsAndOrderSurvive() throws Exception {
        DhcpOptions o = DhcpOptions.builder()
                .putByte(53, 1)
                .put(250, new byte[] {1, 2, 3})
                .put(12, "h".getBytes())
                .put(249, new byte[0])
                .build();
        DhcpPacket back = DhcpCodec.decode(DhcpCodec.encode(sample(o)));
        assertEquals(List.of(53, 250, 12, 249), iter(back.options().codes()));
        assertEquals(o, back.options());
    }

    static List<Integer> iter(Iterable<Integer> it) {
        List<Integer> out = new java.util.ArrayList<>();
        it.forEach(out::add);
        return out;
    }

    @Test
    void hostilePacketsRaiseOnlyMalformedPacketException() throws Exception {
        byte[] good = capture("udhcpc-1.35-pxe-arch7-discover.hex");
        for (int len = 0; len < 240; len++) {
            int n = len;
            assertThrows(MalformedPacketException.class, () -> DhcpCodec.decode(Arrays.copyOf(good, n)));
        }
        byte[] cookie = good.clone();
        cookie[236] = 0;
        assertThrows(MalformedPacketException.class, () -> DhcpCodec.decode(cookie));
        byte[] hlen = good.clone();
        hlen[2] = 17;
        assertThrows(MalformedPacketException.class, () -> DhcpCodec.decode(hlen));
        byte[] overrun = Arrays.copyOf(good, 245);
        overrun[240] = 12;
        overrun[241] = (byte) 200;
        assertThrows(MalformedPacketException.class, () -> DhcpCodec.decode(overrun));
        byte[] noLength = Arrays.copyOf(good, 241);
        noLength[240] = 12;
        assertThrows(MalformedPacketException.class, () -> DhcpCodec.decode(noLength));
        byte[] badOverload = Arrays.copyOf(good, 244);
        badOverload[240] = 52;
        badOverload[241] = 1;
        badOverload[242] = 7;
        badOverload[243] = (byte) 255;
        assertThrows(MalformedPacketException.class, () -> DhcpCodec.decode(badOverload));
        // Random mutations and truncations: decode either succeeds or throws the one exception type.
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = Arrays.copyOf(good, 240 + r.nextInt(good.length - 239));
            for (int k = 0; k < 4 && b.length > 240; k++) {
                b[240 + r.nextInt(b.length - 240)] = (byte) r.nextInt(256);
            }
            try {
                DhcpPacket p = DhcpCodec.decode(b);
                DhcpCodec.decode(DhcpCodec.encode(p, 1500, 0));
            } catch (MalformedPacketException expected) {
                // fine
            }
        }
    }

    @Test
    void userClassMatchesBareAndRfc3004Forms() {
        DhcpOptions bare =
                DhcpOptions.builder().putText(DhcpOption.USER_CLASS, "iPXE").build();
        DhcpOptions rfc = DhcpOptions.builder()
                .put(DhcpOption.USER_CLASS, new byte[] {3, 'f', 'o', 'o', 4, 'i', 'P', 'X', 'E'})
                .build();
        assertTrue(bare.hasUserClass("iPXE"));
        assertTrue(rfc.hasUserClass("iPXE"));
        assertFalse(rfc.hasUserClass("gPXE"));
    }

    /** A reply naming its boot file in {@code file}, with options of {@code optionBytes} value bytes in all. */
    static DhcpPacket replyWithFile(int optionBytes) {
        DhcpOptions.Builder o = DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, MessageType.OFFER.code());
        int code = 200;
        for (int left = optionBytes; left > 0; left -= 30) {
            o.put(code++, new byte[Math.min(30, left)]);
        }
        return new DhcpPacket(
                2,
                1,
                6,
                0,
                7,
                0,
                0,
                Ipv4Address.parse("0.0.0.0"),
                Ipv4Address.parse("10.10.0.100"),
                Ipv4Address.parse("10.10.0.1"),
                Ipv4Address.parse("0.0.0.0"),
                new byte[16],
                new byte[64],
                Arrays.copyOf("undionly.kpxe".getBytes(StandardCharsets.US_ASCII), 128),
                o.build());
    }

    /** Found by DhcpFuzzTest: options past 548 bytes with a boot file in {@code file} threw instead of using sname. */
    @Test
    void optionsOverflowIntoSnameWhenFileHoldsTheBootFile() throws Exception {
        DhcpPacket p = replyWithFile(300);
        byte[] wire = DhcpCodec.encodeReply(p, 548).orElseThrow();
        assertTrue(wire.length <= 548, wire.length + " bytes");
        DhcpPacket back = DhcpCodec.decode(wire);
        assertArrayEquals(
                new byte[] {2}, back.options().get(DhcpOption.OVERLOAD).orElseThrow(), "sname only");
        assertEquals("undionly.kpxe", back.file());
        DhcpOptions.Builder b = back.options().toBuilder();
        b.remove(DhcpOption.OVERLOAD);
        assertEquals(p.options(), b.build());
    }

    /** Options that fit nowhere (a hostile request's echoed ones): no reply, and no exception but this empty. */
    @Test
    void aReplyWhoseOptionsCannotFitIsEmpty() {
        assertTrue(DhcpCodec.encodeReply(replyWithFile(1000), 548).isEmpty());
        assertTrue(DhcpCodec.encodeReply(replyWithFile(1000), DhcpCodec.MAX_REPLY_SIZE)
                .isPresent());
    }
}
