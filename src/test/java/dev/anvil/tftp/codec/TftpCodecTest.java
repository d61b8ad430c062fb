package dev.anvil.tftp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TftpCodecTest {
    static byte[] capture(String name) throws Exception {
        try (InputStream in = TftpCodecTest.class.getResourceAsStream("/tftp/captures/" + name + ".hex")) {
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "curl-7.88-rrq-blksize1468",
                "atftp-0.8-rrq-window16",
                "tftp-hpa-5.2-rrq",
                "busybox-1.35-rrq-blksize1432"
            })
    void capturedRequestsRoundTripByteForByte(String name) throws Exception {
        byte[] wire = capture(name);
        TftpPacket p = TftpCodec.decode(wire);
        assertTrue(p instanceof TftpPacket.Request);
        assertArrayEquals(wire, TftpCodec.encode(p));
    }

    @Test
    void atftpRequestOptionsInOrder() throws Exception {
        TftpPacket.Request r = (TftpPacket.Request) TftpCodec.decode(capture("atftp-0.8-rrq-window16"));
        assertEquals("snponly.efi", r.filename());
        assertEquals("octet", r.mode());
        assertEquals(
                List.of("tsize", "timeout", "blksize", "windowsize"),
                List.copyOf(r.options().keySet()));
        assertEquals("16", r.option("windowsize").orElseThrow());
        assertEquals(
                "1468",
                new TftpPacket.Request(false, "x", "octet", Map.of("BlkSize", "1468"))
                        .option("blksize")
                        .orElseThrow(),
                "option names are case-insensitive");
    }

    @Test
    void everyKindRoundTrips() throws Exception {
        List<TftpPacket> all = List.of(
                new TftpPacket.Data(65535, new byte[] {1, 2, 3}),
                new TftpPacket.Data(0, new byte[0]),
                new TftpPacket.Ack(7),
                new TftpPacket.Error(8, "option refused"),
                new TftpPacket.Error(42, "unknown code survives"),
                new TftpPacket.OptionAck(Map.of("blksize", "1468")),
                new TftpPacket.Request(true, "up.bin", "netascii", Map.of()));
        for (TftpPacket p : all) {
            assertEquals(p, TftpCodec.decode(TftpCodec.encode(p)));
        }
        assertArrayEquals(new byte[] {0, 4, 0, 7}, TftpCodec.encode(new TftpPacket.Ack(7)));
        assertArrayEquals(new byte[] {0, 5, 0, 1, 'x', 0}, TftpCodec.encode(new TftpPacket.Error(1, "x")));
    }

    @Test
    void hostileInputRaisesOnlyMalformedPacketException() throws Exception {
        for (byte[] b : List.of(
                new byte[0],
                new byte[] {0},
                new byte[] {0, 9},
                new byte[] {0, 1, 'a', 0},
                new byte[] {0, 1, 'a', 0, 'o', 'c'},
                new byte[] {0, 1, 'a', 0, 'o', 0, 'k', 0},
                new byte[] {0, 3, 0},
                new byte[] {0, 4, 1},
                new byte[] {0, 5, 0})) {
            assertThrows(MalformedPacketException.class, () -> TftpCodec.decode(b));
        }
        assertThrows(MalformedPacketException.class, () -> TftpCodec.decode(new byte[2000]), "over-long");
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(40)];
            r.nextBytes(b);
            if (b.length > 1) {
                b[0] = 0;
                b[1] = (byte) r.nextInt(8);
            }
            try {
                TftpCodec.decode(b);
            } catch (MalformedPacketException expected) {
                // fine
            }
        }
    }
}
