package dev.anvil.dhcp6.codec;

import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growing big-endian byte buffer for the encoder; option lengths are patched in when the value is done. */
final class Writer {
    private byte[] buf = new byte[256];
    private int size;

    private void room(int n) {
        if (size + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }
    }

    Writer u8(int v) {
        room(1);
        buf[size++] = (byte) v;
        return this;
    }

    Writer u16(int v) {
        room(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    Writer u24(int v) {
        room(3);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    Writer u32(long v) {
        room(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    Writer bytes(byte[] b) {
        room(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    Writer address(Inet6Address a) {
        return bytes(a.getAddress());
    }

    Writer utf8(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A 16-bit length followed by the string's UTF-8 bytes (the items of OPT_BOOTFILE_PARAM). */
    Writer lengthPrefixedUtf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        checkLength(b.length, "a string");
        return u16(b.length).bytes(b);
    }

    int size() {
        return size;
    }

    /** Reserves a 16-bit length at the current position; {@link #patchLength} fills it in. */
    int reserveLength() {
        u16(0);
        return size;
    }

    /** Writes the number of bytes since {@code mark} into the two bytes before it. */
    void patchLength(int mark, String what) {
        int len = size - mark;
        checkLength(len, what);
        buf[mark - 2] = (byte) (len >>> 8);
        buf[mark - 1] = (byte) len;
    }

    static void checkLength(int len, String what) {
        if (len > 0xffff) {
            throw new IllegalArgumentException(what + " of " + len + " bytes does not fit a 16-bit length");
        }
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
