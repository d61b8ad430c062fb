package dev.anvil.core.node;

import java.util.HexFormat;

/** A 48-bit Ethernet MAC address; text form is lowercase and colon-separated. */
public record MacAddress(long bits) {

    public MacAddress {
        if ((bits & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits");
        }
    }

    /** Accepts {@code 52:54:00:12:34:56}, {@code 52-54-00-12-34-56} and {@code 5254.0012.3456}, any case. */
    public static MacAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a MAC address is required");
        }
        String hex;
        if (text.length() == 17 && (sepOk(text, ':') || sepOk(text, '-'))) {
            StringBuilder sb = new StringBuilder(12);
            for (int i = 0; i < 17; i += 3) {
                sb.append(text, i, i + 2);
            }
            hex = sb.toString();
        } else if (text.length() == 14 && text.charAt(4) == '.' && text.charAt(9) == '.') {
            hex = text.substring(0, 4) + text.substring(5, 9) + text.substring(10);
        } else {
            throw new IllegalArgumentException(shorten(text) + " is not a MAC address (expected aa:bb:cc:dd:ee:ff)");
        }
        for (int i = 0; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                throw new IllegalArgumentException(
                        shorten(text) + " is not a MAC address (expected aa:bb:cc:dd:ee:ff)");
            }
        }
        return new MacAddress(HexFormat.fromHexDigitsToLong(hex));
    }

    private static boolean sepOk(String s, char sep) {
        for (int i = 2; i < 17; i += 3) {
            if (s.charAt(i) != sep) {
                return false;
            }
        }
        return true;
    }

    private static String shorten(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return "\"" + t.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }

    public static MacAddress fromBytes(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[offset + i] & 0xff);
        }
        return new MacAddress(v);
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return b;
    }

    /** Text with a chosen separator, e.g. '-' for pxelinux's {@code 01-aa-bb-...} file names. */
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public String format(char separator) {
        char[] c = new char[17];
        for (int i = 0; i < 6; i++) {
            int b = (int) (bits >>> (40 - 8 * i)) & 0xff;
            c[3 * i] = HEX[b >>> 4];
            c[3 * i + 1] = HEX[b & 0xf];
            if (i < 5) {
                c[3 * i + 2] = separator;
            }
        }
        return new String(c);
    }

    @Override
    public String toString() {
        return format(':');
    }
}
