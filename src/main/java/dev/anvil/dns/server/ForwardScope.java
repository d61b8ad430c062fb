package dev.anvil.dns.server;

import dev.anvil.config.DnsConfig;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.ClientAddress;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.NetworkCatalog;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which clients may have queries outside Anvil's zones forwarded: {@code dns.forwardFor}, else Anvil's own
 * networks (for an IPv6 client: the served networks' /64s).
 */
public final class ForwardScope {
    private ForwardScope() {}

    /**
     * IPv4 clients (an IPv4-mapped address on a dual-stack socket included) inside {@code dns.forwardFor}, or, when
     * that is empty, inside any served network now; IPv6 clients only when {@code dns.forwardFor} is empty, inside
     * the /64 of a served network ({@code dns.forwardFor} lists IPv4 CIDRs: set, it names no IPv6 client).
     */
    public static Predicate<InetAddress> of(DnsConfig dns, NetworkCatalog networks, Addressing addressing) {
        return client -> {
            Optional<Inet6Address> v6 = ClientAddress.ipv6(client);
            if (v6.isPresent()) {
                return dns.forwardFor().isEmpty()
                        && addressing.containing(networks.all(), v6.get()).isPresent();
            }
            Optional<Ipv4Address> v4 = ClientAddress.ipv4(client);
            if (v4.isEmpty()) {
                return false;
            }
            Ipv4Address a = v4.get();
            return dns.forwardFor().isEmpty()
                    ? networks.containing(a).isPresent()
                    : dns.forwardFor().stream().anyMatch(c -> c.contains(a));
        };
    }
}
