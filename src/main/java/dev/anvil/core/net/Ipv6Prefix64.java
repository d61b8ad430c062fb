package dev.anvil.core.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv6 /64 prefix: the upper 64 bits of every address in it. */
public record Ipv6Prefix64(long high) {

    /** Parses {@code fd12:3456:789a:1::} or {@code fd12:3456:789a:1::/64}; the low 64 bits must be zero. */
    public static Ipv6Prefix64 parse(String text) {
        String bad = text + " is not an IPv6 /64 prefix";
        if (text == null) {
            throw new IllegalArgumentException("null is not an IPv6 /64 prefix");
        }
        String literal = text;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            if (!text.substring(slash + 1).equals("64")) {
                throw new IllegalArgumentException(bad + " (only /64 is supported)");
            }
            literal = text.substring(0, slash);
        }
        // Only hex digits and colons: never let InetAddress fall back to a name lookup.
        if (literal.indexOf(':') < 0 || !literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':')) {
            throw new IllegalArgumentException(bad);
        }
        byte[] b;
        try {
            b = InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(bad);
        }
        if (b.length != 16) {
            throw new IllegalArgumentException(bad);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (b[i] & 0xff);
            low = (low << 8) | (b[i + 8] & 0xff);
        }
        if (low != 0) {
            throw new IllegalArgumentException(bad + " (interface bits are set)");
        }
        return new Ipv6Prefix64(high);
    }

    /** The /64 an address lies in. */
    public static Ipv6Prefix64 of(Inet6Address address) {
        return new Ipv6Prefix64(high(address));
    }

    /** Whether the address lies in this /64. */
    public boolean contains(Inet6Address address) {
        return high(address) == high;
    }

    private static long high(Inet6Address address) {
        byte[] b = address.getAddress();
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (b[i] & 0xff);
        }
        return h;
    }

    /** The address with the given 64-bit interface identifier. */
    public Inet6Address address(long interfaceId) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[i + 8] = (byte) (interfaceId >>> (56 - 8 * i));
        }
        try {
            return (Inet6Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Canonical text of an IPv6 address (RFC 5952: lowercase, longest zero run compressed). */
    public static String format(Inet6Address address) {
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return format(address(0)) + "/64";
    }
}
