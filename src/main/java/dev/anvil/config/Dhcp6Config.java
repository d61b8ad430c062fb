package dev.anvil.config;

import java.net.Inet6Address;
import java.util.List;

/**
 * The DHCPv6 server (RFC 8415): off unless enabled; one socket per interface on {@code [::]:port}, joined to
 * {@code ff02::1:2} there. A network is served on an interface when one of the interface's IPv6 addresses lies in
 * the network's /64 (that address is the one Anvil's boot URLs name); relayed messages pick the network by
 * their link address.
 *
 * @param interfaces the interfaces to serve (at least one when enabled)
 * @param port the server port (547; the client port is 546)
 * @param preferredLifetime preferred lifetime of the addresses given, seconds (T1 and T2 are 0.5 and 0.8 of it)
 * @param validLifetime valid lifetime, seconds
 * @param dnsServers the recursive name servers handed out (option 23); none when empty
 */
public record Dhcp6Config(
        boolean enabled,
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
        return new Dhcp6Config(false, List.of(), 547, 3600, 7200, List.of());
    }
}
