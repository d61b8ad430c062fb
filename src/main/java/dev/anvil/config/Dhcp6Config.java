package dev.anvil.config;

import java.net.Inet6Address;
import java.util.List;

/**
 * The DHCPv6 server (RFC 8415): on by the same rule as router advertisements (whose M flag sends clients to it)
 * unless written; one socket per interface on {@code [::]:port}, joined to
 * {@code ff02::1:2} there. A network is served on an interface when one of the interface's IPv6 addresses lies in
 * the network's /64 (that address is the one Anvil's boot URLs name); relayed messages pick the network by
 * their link address.
 *
 * @param enabled true or false as written; empty: on when DHCP serves named interfaces ({@code dhcp.interfaces})
 *     and a network that is not proxyDHCP has an IPv6 prefix
 * @param interfaces the interfaces to serve; empty: {@code dhcp.interfaces}
 * @param port the server port (547; the client port is 546)
 * @param preferredLifetime preferred lifetime of the addresses given, seconds (T1 and T2 are 0.5 and 0.8 of it)
 * @param validLifetime valid lifetime, seconds
 * @param dnsServers the recursive name servers handed out (option 23); none when empty
 */
public record Dhcp6Config(
        java.util.Optional<Boolean> enabled,
        List<String> interfaces,
        int port,
        long preferredLifetime,
        long validLifetime,
        List<Inet6Address> dnsServers) {
    public Dhcp6Config {
        interfaces = List.copyOf(interfaces);
        dnsServers = List.copyOf(dnsServers);
    }

    public static Dhcp6Config defaults() {
        return new Dhcp6Config(java.util.Optional.empty(), List.of(), 547, 3600, 7200, List.of());
    }

    /** Whether DHCPv6 is served: {@link #enabled} as written, else the rule above. */
    public boolean active(DhcpConfig dhcp, List<dev.anvil.core.net.Network> networks) {
        return enabled.orElseGet(() -> dhcp.enabled()
                && !dhcp.interfaces().isEmpty()
                && networks.stream()
                        .anyMatch(n -> !n.proxyDhcp() && !(n.v6prefix() instanceof dev.anvil.core.net.V6Prefix.None)));
    }

    /** The interfaces served: as written, else DHCP's. */
    public List<String> interfaces(DhcpConfig dhcp) {
        return interfaces.isEmpty() ? dhcp.interfaces() : interfaces;
    }
}
