package dev.anvil.store.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Compacts journal bytes without an object per line: one pass over the file (memory-mapped) records, for
 * every address, where its last well-formed line starts; a second pass copies those lines out. Nothing is
 * parsed into leases and no per-line garbage is made, so a compaction running beside the DHCP thread
 * neither takes its CPU for long nor sets off collections that stop it.
 *
 * <p>A well-formed line is {@code a.b.c.d,} followed by four more comma-separated fields and a newline, at
 * most 65535 bytes; anything else (a line torn by a power cut) is left out, as a replay would skip it.
 */
final class JournalCompaction {
    private JournalCompaction() {}

    /**
     * Writes to {@code out} the last well-formed line of every address among the first {@code upTo} bytes of
     * {@code in}; returns how many lines that is.
     */
    static long compact(FileChannel in, long upTo, FileChannel out) throws IOException {
        if (upTo <= 0) {
            return 0;
        }
        if (upTo > Integer.MAX_VALUE) {
            throw new IOException("journal of " + upTo + " bytes is too large to compact");
        }
        MappedByteBuffer m = in.map(FileChannel.MapMode.READ_ONLY, 0, upTo);
        int n = (int) upTo;
        Table last = new Table();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (m.get(i) == '\n') {
                long ip = addressOf(m, start, i);
                if (ip >= 0 && i + 1 - start <= 0xffff) {
                    last.put(ip, ((long) start << 16) | (i + 1 - start));
                }
                start = i + 1;
            }
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
        long kept = 0;
        for (int slot = 0; slot < last.keys.length; slot++) {
            if (last.keys[slot] == 0) {
                continue;
            }
            int from = (int) (last.values[slot] >>> 16);
            int len = (int) (last.values[slot] & 0xffff);
            if (buf.remaining() < len) {
                drain(buf, out);
            }
            buf.put(m.slice(from, len));
            kept++;
        }
        drain(buf, out);
        return kept;
    }

    private static void drain(ByteBuffer buf, FileChannel out) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        buf.clear();
    }

    /**
     * The IPv4 address a line {@code [from, to)} starts with, as 0..2^32-1, if the line has exactly five
     * comma-separated fields and its first is a dotted quad; else -1.
     */
    static long addressOf(ByteBuffer b, int from, int to) {
        long ip = 0;
        int octet = -1;
        int dots = 0;
        int i = from;
        for (; i < to; i++) {
            byte c = b.get(i);
            if (c >= '0' && c <= '9') {
                octet = (octet < 0 ? 0 : octet * 10) + (c - '0');
                if (octet > 255) {
                    return -1;
                }
            } else if (c == '.' || c == ',') {
                if (octet < 0) {
                    return -1;
                }
                ip = (ip << 8) | octet;
                octet = -1;
                if (c == ',') {
                    break;
                }
                if (++dots > 3) {
                    return -1;
                }
            } else {
                return -1;
            }
        }
        if (i == to || dots != 3) {
            return -1;
        }
        int commas = 1;
        for (i++; i < to; i++) {
            if (b.get(i) == ',') {
                commas++;
            }
        }
        return commas == 4 ? ip : -1;
    }

    /** Address (+1, so 0 means empty) to packed line position, open addressing. */
    private static final class Table {
        long[] keys = new long[1024];
        long[] values = new long[1024];
        int size;

        void put(long ip, long value) {
            if (size * 2 >= keys.length) {
                grow();
            }
            long key = ip + 1;
            int mask = keys.length - 1;
            int slot = (int) (mix(key) & mask);
            while (keys[slot] != 0 && keys[slot] != key) {
                slot = (slot + 1) & mask;
            }
            if (keys[slot] == 0) {
                keys[slot] = key;
                size++;
            }
            values[slot] = value;
        }

        private void grow() {
            long[] oldKeys = keys;
            long[] oldValues = values;
            keys = new long[oldKeys.length * 2];
            values = new long[oldKeys.length * 2];
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != 0) {
                    put(oldKeys[i] - 1, oldValues[i]);
                }
            }
        }

        private static long mix(long k) {
            k *= 0x9E3779B97F4A7C15L;
            return k ^ (k >>> 29);
        }
    }
}
