package dev.anvil.ra;

import dev.anvil.core.net.Ipv6Prefix64;
import java.util.List;

/**
 * One link RAs go out on: the interface, the network served there, its /64, the DNS servers (RDNSS, canonical
 * IPv6 text, at most three) and the search domain (DNSSL).
 */
public record RaLink(String iface, String network, Ipv6Prefix64 prefix, List<String> rdnss, String domain) {
    public RaLink {
        rdnss = List.copyOf(rdnss);
    }
}
