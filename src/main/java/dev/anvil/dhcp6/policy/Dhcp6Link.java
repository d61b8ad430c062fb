package dev.anvil.dhcp6.policy;

import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.Network;
import java.net.Inet6Address;
import java.util.List;
import java.util.Objects;

/**
 * The link a DHCPv6 message was heard on, as the responder needs it: the served network and its /64, the
 * address Anvil has on that link (the boot URLs name it), and the name servers and search domain to hand out.
 */
public record Dhcp6Link(
        Network network, Ipv6Prefix64 prefix, Inet6Address server, List<Inet6Address> dnsServers, String domain) {
    public Dhcp6Link {
        Objects.requireNonNull(network);
        Objects.requireNonNull(prefix);
        Objects.requireNonNull(server);
        dnsServers = List.copyOf(dnsServers);
        Objects.requireNonNull(domain);
    }

    /** Whether an address lies in this link's /64. */
    public boolean onLink(Inet6Address a) {
        byte[] b = a.getAddress();
        long high = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (b[i] & 0xff);
        }
        return high == prefix.high();
    }
}
