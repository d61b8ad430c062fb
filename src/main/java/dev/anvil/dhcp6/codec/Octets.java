package dev.anvil.dhcp6.codec;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable byte string: the opaque parts of options (DUID identifiers, interface ids, raw values). */
public final class Octets {
    public static final Octets EMPTY = new Octets(new byte[0]);

    private final byte[] bytes;

    private Octets(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Octets of(byte[] b) {
        return new Octets(b.clone());
    }

    public static Octets of(byte[] b, int from, int to) {
        return new Octets(Arrays.copyOfRange(b, from, to));
    }

    public static Octets ofHex(String hex) {
        return new Octets(HexFormat.of().parseHex(hex));
    }

    public int length() {
        return bytes.length;
    }

    public int get(int i) {
        return bytes[i] & 0xff;
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    void writeTo(Writer out) {
        out.bytes(bytes);
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Octets other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return bytes.length > 64 ? hex().substring(0, 128) + "...(" + bytes.length + " bytes)" : hex();
    }
}
