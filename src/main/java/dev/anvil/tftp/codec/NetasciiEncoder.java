package dev.anvil.tftp.codec;

import java.nio.ByteBuffer;

/**
 * RFC 764 netascii for a read transfer, one DATA block at a time: LF becomes CR LF, a bare CR becomes CR NUL,
 * everything else passes. Nothing is converted ahead: block {@code b} is encoded from the source when it is
 * sent, so a netascii transfer holds one block, never the converted file.
 *
 * <p>A block can begin in the middle of an expansion (its CR ended the block before): the state at a block
 * start is the source position plus that half. The states of the last {@code window} block starts are kept
 * in a ring, so a retransmission (the window again, from the block after the last ACK) starts from a kept
 * state; a block further back is found by encoding forward from the nearest kept state, or from the start.
 * Memory: the ring, whatever the file's size.
 */
public final class NetasciiEncoder {
    private final ByteBuffer src;
    private final int blksize;
    private final long size;
    private final long[] ringBlock;
    private final long[] ringState;

    /**
     * @param src the file as it is on disk, from its position to its limit (neither is changed)
     * @param blksize the negotiated block size
     * @param window how many block starts to remember: the transfer's window plus one suffices
     */
    public NetasciiEncoder(ByteBuffer src, int blksize, int window) {
        if (blksize < 1 || window < 1) {
            throw new IllegalArgumentException("blksize and window must be positive");
        }
        this.src = src.slice();
        this.blksize = blksize;
        this.size = encodedLength(src);
        this.ringBlock = new long[window];
        this.ringState = new long[window];
        java.util.Arrays.fill(ringBlock, -1);
    }

    /** The converted length of {@code src}: its bytes plus one for every LF and every CR. */
    public static long encodedLength(ByteBuffer src) {
        long n = 0;
        for (int i = src.position(), end = src.limit(); i < end; i++) {
            byte x = src.get(i);
            if (x == '\n' || x == '\r') {
                n++;
            }
        }
        return n + src.remaining();
    }

    /** The converted length: what {@code tsize} reports and how the blocks are counted. */
    public long size() {
        return size;
    }

    /** Writes DATA block {@code b} (1-based) into {@code dst}; returns its length (less than blksize: the last). */
    public int block(long b, byte[] dst) {
        if (b < 1 || (b - 1) * blksize > size) {
            throw new IllegalArgumentException("no block " + b + " in " + size + " bytes");
        }
        if (dst.length < blksize) {
            throw new IllegalArgumentException("the buffer is smaller than blksize " + blksize);
        }
        long at = 1;
        long state = 0;
        for (int i = 0; i < ringBlock.length; i++) {
            if (ringBlock[i] <= b && ringBlock[i] > at) {
                at = ringBlock[i];
                state = ringState[i];
            }
        }
        int len = 0;
        for (; at <= b; at++) {
            long start = state;
            len = 0;
            // state: source position * 2, plus 1 when the previous byte's CR went out and its second byte did not
            int pos = (int) (state >>> 1);
            if ((state & 1) != 0) {
                dst[len++] = src.get(pos - 1) == '\n' ? (byte) '\n' : 0;
            }
            int end = src.limit();
            boolean half = false;
            while (len < blksize && pos < end) {
                byte x = src.get(pos++);
                if (x == '\n' || x == '\r') {
                    dst[len++] = '\r';
                    if (len == blksize) {
                        half = true;
                        break;
                    }
                    dst[len++] = x == '\n' ? (byte) '\n' : 0;
                } else {
                    dst[len++] = x;
                }
            }
            state = ((long) pos << 1) | (half ? 1 : 0);
            remember(at, start);
            remember(at + 1, state);
        }
        return len;
    }

    private void remember(long block, long state) {
        int i = (int) (block % ringBlock.length);
        ringBlock[i] = block;
        ringState[i] = state;
    }
}
