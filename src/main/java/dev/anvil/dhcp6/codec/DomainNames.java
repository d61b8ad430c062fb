package dev.anvil.dhcp6.codec;

import java.nio.charset.StandardCharsets;

/**
 * Domain names in DNS wire format without compression (RFC 1035 §3.1, as RFC 3646 and RFC 8415 §10 require):
 * labels of 1 to 63 bytes, then a zero byte; at most 255 bytes. The text form joins the labels with dots, no
 * trailing dot; a label byte must be printable ASCII other than '.', so that text and wire map one to one.
 */
final class DomainNames {
    static final int MAX_WIRE = 255;

    private DomainNames() {}

    /** Throws {@link IllegalArgumentException} if {@code name} cannot be written. */
    static void check(String name) {
        if (wireLength(name) > MAX_WIRE) {
            throw new IllegalArgumentException("domain name \"" + name + "\" is over 255 bytes on the wire");
        }
        if (name.isEmpty()) {
            return;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException("domain name \"" + name + "\" has a label not of 1..63 bytes");
            }
            for (int i = 0; i < label.length(); i++) {
                if (!labelByte(label.charAt(i))) {
                    throw new IllegalArgumentException("domain name \"" + name + "\" has a character not allowed");
                }
            }
        }
    }

    private static boolean labelByte(int c) {
        return c > 0x20 && c < 0x7f && c != '.';
    }

    private static int wireLength(String name) {
        return name.isEmpty() ? 1 : name.length() + 2;
    }

    static void write(Writer out, String name) {
        if (!name.isEmpty()) {
            for (String label : name.split("\\.")) {
                out.u8(label.length()).bytes(label.getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.u8(0);
    }

    static String read(Reader r) throws MalformedPacketException {
        StringBuilder sb = new StringBuilder();
        int wire = 0;
        while (true) {
            int len = r.u8("domain name label length");
            wire += 1 + len;
            if (wire > MAX_WIRE) {
                throw new MalformedPacketException("domain name over 255 bytes");
            }
            if (len == 0) {
                return sb.toString();
            }
            if (len > 63) {
                throw new MalformedPacketException(
                        "domain name label length " + len + (len >= 0xc0 ? " (compression is not allowed)" : ""));
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            for (int i = 0; i < len; i++) {
                int c = r.u8("domain name label");
                if (!labelByte(c)) {
                    throw new MalformedPacketException("domain name label byte 0x" + Integer.toHexString(c));
                }
                sb.append((char) c);
            }
        }
    }
}
