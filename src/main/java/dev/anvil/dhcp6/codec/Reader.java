package dev.anvil.dhcp6.codec;

import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reads over {@code [pos, end)} of an array: every read past {@code end} is a {@link
 * MalformedPacketException} naming {@code what} was being read, never an index exception.
 */
final class Reader {
    private final byte[] b;
    private final int end;
    private final String what;
    private int pos;

    Reader(byte[] b, int from, int to, String what) {
        this.b = b;
        this.pos = from;
        this.end = to;
        this.what = what;
    }

    int remaining() {
        return end - pos;
    }

    boolean more() {
        return pos < end;
    }

    private void need(int n, String field) throws MalformedPacketException {
        if (end - pos < n) {
            throw new MalformedPacketException(
                    what + ": " + field + " needs " + n + " bytes, " + (end - pos) + " left");
        }
    }

    int u8(String field) throws MalformedPacketException {
        need(1, field);
        return b[pos++] & 0xff;
    }

    int u16(String field) throws MalformedPacketException {
        need(2, field);
        int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int u24(String field) throws MalformedPacketException {
        need(3, field);
        int v = ((b[pos] & 0xff) << 16) | ((b[pos + 1] & 0xff) << 8) | (b[pos + 2] & 0xff);
        pos += 3;
        return v;
    }

    long u32(String field) throws MalformedPacketException {
        need(4, field);
        long v = ((long) (b[pos] & 0xff) << 24)
                | ((b[pos + 1] & 0xff) << 16)
                | ((b[pos + 2] & 0xff) << 8)
                | (b[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    Octets octets(int n, String field) throws MalformedPacketException {
        need(n, field);
        Octets o = Octets.of(b, pos, pos + n);
        pos += n;
        return o;
    }

    Octets rest() {
        Octets o = Octets.of(b, pos, end);
        pos = end;
        return o;
    }

    Inet6Address address(String field) throws MalformedPacketException {
        need(16, field);
        byte[] a = java.util.Arrays.copyOfRange(b, pos, pos + 16);
        pos += 16;
        return Addresses.of(a);
    }

    /** {@code n} bytes of strict UTF-8 (a byte sequence that is not UTF-8 would not re-encode to itself). */
    String utf8(int n, String field) throws MalformedPacketException {
        need(n, field);
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, pos, n))
                    .toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw new MalformedPacketException(what + ": " + field + " is not UTF-8");
        }
    }

    /** A reader over the next {@code n} bytes, which this one skips. */
    Reader slice(int n, String sliceWhat) throws MalformedPacketException {
        need(n, sliceWhat);
        Reader r = new Reader(b, pos, pos + n, sliceWhat);
        pos += n;
        return r;
    }

    /** Nothing may follow: fixed-size values end here. */
    void end() throws MalformedPacketException {
        if (pos != end) {
            throw new MalformedPacketException(what + ": " + (end - pos) + " unexpected trailing bytes");
        }
    }

    /** The IPv6 address type for 16 bytes, never an Inet4Address (IPv4-mapped addresses stay IPv6). */
    static final class Addresses {
        private Addresses() {}

        static Inet6Address of(byte[] sixteen) {
            try {
                return Inet6Address.getByAddress(null, sixteen, -1);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("an IPv6 address has 16 bytes", e);
            }
        }
    }
}
