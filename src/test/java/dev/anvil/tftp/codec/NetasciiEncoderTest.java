package dev.anvil.tftp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NetasciiEncoderTest {

    /** Every block of {@code in} at {@code blksize}, in order. */
    static List<byte[]> blocks(byte[] in, int blksize) {
        NetasciiEncoder e = new NetasciiEncoder(ByteBuffer.wrap(in), blksize, 2);
        List<byte[]> out = new ArrayList<>();
        byte[] buf = new byte[blksize];
        for (long b = 1; (b - 1) * blksize <= e.size(); b++) {
            int n = e.block(b, buf);
            out.add(Arrays.copyOf(buf, n));
        }
        return out;
    }

    /** The whole-file conversion, byte by byte: the reference. */
    static byte[] reference(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte x : in) {
            if (x == '\n') {
                out.write('\r');
                out.write('\n');
            } else if (x == '\r') {
                out.write('\r');
                out.write(0);
            } else {
                out.write(x);
            }
        }
        return out.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void lfBecomesCrLfAndCrBecomesCrNul() {
        List<byte[]> b = blocks(ascii("a\nb\rc"), 512);
        assertEquals(1, b.size());
        assertArrayEquals(new byte[] {'a', '\r', '\n', 'b', '\r', 0, 'c'}, b.get(0));
    }

    @Test
    void anLfExpansionStraddlingABlockEdgeContinuesInTheNextBlock() {
        // "abc\n" at blksize 4: "abc" + CR fill block 1, the LF opens block 2 (1 byte: the last, short block)
        List<byte[]> b = blocks(ascii("abc\nde"), 4);
        assertEquals(2, b.size());
        assertArrayEquals(ascii("abc\r"), b.get(0));
        assertArrayEquals(ascii("\nde"), b.get(1));
    }

    @Test
    void aCrExpansionStraddlingABlockEdgeContinuesWithItsNul() {
        List<byte[]> b = blocks(ascii("xyz\r\r"), 4);
        assertEquals(2, b.size());
        assertArrayEquals(ascii("xyz\r"), b.get(0));
        assertArrayEquals(new byte[] {0, '\r', 0}, b.get(1));
    }

    @Test
    void aConvertedSizeThatIsAMultipleOfBlksizeEndsWithAnEmptyBlock() {
        // "ab\n" is 4 bytes converted: one full block, then the empty block that ends the transfer
        List<byte[]> b = blocks(ascii("ab\n"), 4);
        assertEquals(2, b.size());
        assertArrayEquals(ascii("ab\r\n"), b.get(0));
        assertEquals(0, b.get(1).length);
        assertEquals(1, blocks(new byte[0], 512).size(), "an empty file is one empty block");
        assertEquals(4, new NetasciiEncoder(ByteBuffer.wrap(ascii("ab\n")), 4, 1).size());
    }

    @Test
    void blocksJoinedAreTheWholeConversionForEveryBlksize() {
        Random r = new Random(7);
        byte[] in = new byte[20_000];
        byte[] alphabet = {'\r', '\n', 'a', 0, '\r', '\n'};
        for (int i = 0; i < in.length; i++) {
            in[i] = alphabet[r.nextInt(alphabet.length)];
        }
        byte[] want = reference(in);
        for (int blksize : new int[] {1, 2, 3, 8, 511, 512, 1468}) {
            List<byte[]> b = blocks(in, blksize);
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            b.forEach(joined::writeBytes);
            assertArrayEquals(want, joined.toByteArray(), "blksize " + blksize);
            assertEquals(want.length / blksize + 1, b.size(), "block count at blksize " + blksize);
            for (int i = 0; i < b.size() - 1; i++) {
                assertEquals(blksize, b.get(i).length, "only the last block is short");
            }
            assertEquals(want.length % blksize, b.get(b.size() - 1).length);
        }
    }

    @Test
    void retransmissionsAndJumpsBackGiveTheSameBytes() {
        Random r = new Random(3);
        byte[] in = new byte[10_000];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) "ab\r\n".charAt(r.nextInt(4));
        }
        byte[] want = reference(in);
        int blksize = 64;
        NetasciiEncoder e = new NetasciiEncoder(ByteBuffer.wrap(in), blksize, 5);
        byte[] buf = new byte[blksize];
        long last = want.length / blksize + 1;
        // A window of 4, resent from just after the "ACK", then a random block anywhere (none of it kept)
        for (int round = 0; round < 500; round++) {
            long b = 1 + r.nextInt((int) last);
            for (long x = b; x <= Math.min(last, b + 3); x++) {
                check(e, x, buf, want, blksize);
            }
            for (long x = b; x <= Math.min(last, b + 3); x++) {
                check(e, x, buf, want, blksize);
            }
        }
    }

    static void check(NetasciiEncoder e, long b, byte[] buf, byte[] want, int blksize) {
        int n = e.block(b, buf);
        int from = (int) ((b - 1) * blksize);
        assertArrayEquals(
                Arrays.copyOfRange(want, from, Math.min(want.length, from + blksize)),
                Arrays.copyOf(buf, n),
                "block " + b);
    }

    @Test
    void theSourcesPositionAndLimitBoundWhatIsConverted() {
        ByteBuffer src = ByteBuffer.wrap(ascii("xx\nyy\nzz"));
        src.position(2).limit(6);
        NetasciiEncoder e = new NetasciiEncoder(src, 512, 1);
        byte[] buf = new byte[512];
        assertArrayEquals(ascii("\r\nyy\r\n"), Arrays.copyOf(buf, e.block(1, buf)));
        assertEquals(2, src.position(), "untouched");
        assertThrows(IllegalArgumentException.class, () -> e.block(2, buf));
    }
}
