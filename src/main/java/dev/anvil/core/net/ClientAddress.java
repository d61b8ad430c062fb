package dev.anvil.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * What a listener needs to know about a client's source address, in either family: its IPv4 address (also when a
 * dual-stack socket hands it over as an IPv4-mapped IPv6 address), its IPv6 address, and the key its per-client
 * limits count under. An IPv6 client is limited per /64, not per address: a host picks any of the 2^64 addresses
 * of its /64 at will (SLAAC privacy addresses, or by hand), so a per-address cap would be no cap at all.
 */
public final class ClientAddress {
    private ClientAddress() {}

    /** The IPv4 address, also of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}); empty for real IPv6. */
    public static Optional<Ipv4Address> ipv4(InetAddress a) {
        if (a instanceof Inet4Address v4) {
            return Optional.of(Ipv4Address.of(v4));
        }
        if (a instanceof Inet6Address v6 && mapped(v6.getAddress())) {
            return Optional.of(Ipv4Address.fromBytes(v6.getAddress(), 12));
        }
        return Optional.empty();
    }

    /** The IPv6 address when the client spoke real IPv6 (not IPv4 through a mapped address). */
    public static Optional<Inet6Address> ipv6(InetAddress a) {
        return a instanceof Inet6Address v6 && !mapped(v6.getAddress()) ? Optional.of(v6) : Optional.empty();
    }

    /**
     * The key per-client limits count under: the IPv4 address itself (a mapped one as plain IPv4), the /64 of an
     * IPv6 address (its low 64 bits zero, scope dropped).
     */
    public static InetAddress limitKey(InetAddress a) {
        Optional<Ipv4Address> v4 = ipv4(a);
        if (v4.isPresent()) {
            return v4.get().toInetAddress();
        }
        byte[] b = a.getAddress();
        for (int i = 8; i < 16; i++) {
            b[i] = 0;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes are always an address
        }
    }

    /** The address as logs and the boot timeline show it: IPv4 dotted, IPv6 in RFC 5952 form. */
    public static String format(InetAddress a) {
        Optional<Ipv4Address> v4 = ipv4(a);
        if (v4.isPresent()) {
            return v4.get().toString();
        }
        return Ipv6Prefix64.format((Inet6Address) a);
    }

    /** An IPv6 address as the host part of a URL: RFC 5952 text in brackets ({@code [fd00::1]}). */
    public static String urlHost(Inet6Address a) {
        return "[" + Ipv6Prefix64.format(a) + "]";
    }

    private static boolean mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }
}
