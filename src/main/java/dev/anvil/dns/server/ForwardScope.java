package dev.anvil.dns.server;

import dev.anvil.config.DnsConfig;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.NetworkCatalog;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.function.Predicate;

/**
 * Which clients may have queries outside Anvil's zones forwarded: {@code dns.forwardFor}, else Anvil's own
 * networks.
 */
public final class ForwardScope {
    private ForwardScope() {}

    /** IPv4 clients inside {@code dns.forwardFor}, or, when that is empty, inside any served network now. */
    public static Predicate<InetAddress> of(DnsConfig dns, NetworkCatalog networks) {
        return client -> {
            if (!(client instanceof Inet4Address v4)) {
                return false;
            }
            Ipv4Address a = Ipv4Address.of(v4);
            return dns.forwardFor().isEmpty()
                    ? networks.containing(a).isPresent()
                    : dns.forwardFor().stream().anyMatch(c -> c.contains(a));
        };
    }
}
