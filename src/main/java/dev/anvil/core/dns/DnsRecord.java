package dev.anvil.core.dns;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import dev.anvil.core.net.Ipv4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A record the operator added: several A/AAAA records on one name (service names, round robin, more addresses
 * for a node's name), an AAAA that replaces a node's derived ULA address, a CNAME alias, a TXT or an SRV
 * record. The name and data are kept in one canonical text form ({@link #of} validates and normalises).
 *
 * @param id the store's id
 * @param name the owner name, lowercase, without the trailing dot (underscore labels allowed: SRV, TXT)
 * @param type the record type
 * @param data A: dotted quad; AAAA: Java's full form; CNAME: a name; TXT: printable ASCII (split into
 *     255-byte strings on the wire); SRV: "priority weight port target"
 * @param ttl seconds, or 0 for the zone's default
 */
public record DnsRecord(long id, String name, Type type, String data, int ttl) {
    /** The longest TXT data taken (four 255-byte strings). */
    public static final int MAX_TXT = 1020;

    /** The record types the API takes. */
    public enum Type {
        A,
        AAAA,
        CNAME,
        TXT,
        SRV;

        static Type parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new InvalidInputException("type", "type must be one of A, AAAA, CNAME, TXT, SRV");
            }
        }
    }

    /** Validates and normalises what the API was given; throws with every problem, naming its field. */
    public static DnsRecord of(String name, String type, String data, Integer ttl) {
        List<Violation> v = new ArrayList<>();
        String n = null;
        try {
            n = ownerName(name);
        } catch (IllegalArgumentException e) {
            v.add(new Violation("name", e.getMessage()));
        }
        Type t = null;
        try {
            t = Type.parse(type);
        } catch (InvalidInputException e) {
            v.addAll(e.violations());
        }
        String d = null;
        if (data == null || data.isEmpty()) {
            v.add(new Violation("data", "data is required"));
        } else if (t != null) {
            try {
                d = data(t, data);
            } catch (IllegalArgumentException e) {
                v.add(new Violation("data", e.getMessage()));
            }
        }
        int seconds = ttl == null ? 0 : ttl;
        if (seconds < 0 || seconds > 604_800) {
            v.add(new Violation("ttl", "ttl must be 0 (the zone's default) to 604800 seconds"));
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new DnsRecord(0, n, t, d, seconds);
    }

    /** The same record with the store's id. */
    public DnsRecord withId(long newId) {
        return new DnsRecord(newId, name, type, data, ttl);
    }

    /** An owner name: labels of letters, digits, '-' and '_' (SRV and TXT owners such as _ldap._tcp). */
    static String ownerName(String text) {
        return name(text, true);
    }

    private static String name(String text, boolean underscores) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a name is required");
        }
        String s = (text.endsWith(".") ? text.substring(0, text.length() - 1) : text).toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.length() > 253) {
            throw new IllegalArgumentException("not a DNS name (1 to 253 characters): " + clip(text));
        }
        for (String label : s.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException("not a DNS name (each label 1 to 63 characters): " + clip(text));
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (underscores && c == '_');
                if (!ok) {
                    throw new IllegalArgumentException(
                            "not a DNS name (letters, digits, '-'" + (underscores ? ", '_'" : "") + "): " + clip(text));
                }
            }
        }
        return s;
    }

    private static String data(Type t, String data) {
        switch (t) {
            case A:
                return Ipv4Address.parse(data.trim()).toString();
            case AAAA:
                return ipv6(data.trim());
            case CNAME:
                return name(data.trim(), false);
            case TXT:
                if (data.length() > MAX_TXT) {
                    throw new IllegalArgumentException("TXT data is at most " + MAX_TXT + " characters");
                }
                for (int i = 0; i < data.length(); i++) {
                    char c = data.charAt(i);
                    if (c < 0x20 || c > 0x7e) {
                        throw new IllegalArgumentException("TXT data is printable ASCII only");
                    }
                }
                return data;
            case SRV:
                return srv(data.trim());
            default:
                throw new IllegalStateException(t.name());
        }
    }

    private static String ipv6(String s) {
        if (s.isEmpty()
                || !s.contains(":")
                || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            throw new IllegalArgumentException("not an IPv6 address: " + clip(s));
        }
        try {
            InetAddress a = InetAddress.getByName(s); // a literal: no lookup
            if (!(a instanceof Inet6Address)) {
                throw new IllegalArgumentException("not an IPv6 address: " + clip(s));
            }
            return a.getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: " + clip(s), e);
        }
    }

    private static String srv(String s) {
        String[] f = s.split("\\s+");
        if (f.length != 4) {
            throw new IllegalArgumentException("SRV data is \"priority weight port target\"");
        }
        int[] nums = new int[3];
        String[] what = {"priority", "weight", "port"};
        for (int i = 0; i < 3; i++) {
            try {
                nums[i] = Integer.parseInt(f[i]);
            } catch (NumberFormatException e) {
                nums[i] = -1;
            }
            if (nums[i] < 0 || nums[i] > 65_535) {
                throw new IllegalArgumentException("SRV " + what[i] + " must be 0 to 65535");
            }
        }
        String target = f[3].equals(".") ? "." : name(f[3], false);
        return nums[0] + " " + nums[1] + " " + nums[2] + " " + target;
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
