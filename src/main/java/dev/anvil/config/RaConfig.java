package dev.anvil.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * IPv6 router advertisements ({@code ra:}), sent by a supervised {@code radvd} (doc/ipv6.md).
 *
 * @param enabled true or false as written; empty: on when DHCP serves named interfaces ({@code dhcp.interfaces})
 *     and some network has a v6 prefix
 * @param radvd the radvd executable
 * @param router true: advertise the admin node as a default router (router lifetime 3 x {@code maxInterval});
 *     false: router lifetime 0, hosts take no default route from Anvil
 * @param managed the M and O flags: addresses and other configuration from DHCPv6
 * @param autonomous the prefix's A flag: hosts may also form SLAAC addresses in the /64
 * @param minInterval MinRtrAdvInterval, seconds
 * @param maxInterval MaxRtrAdvInterval, seconds
 * @param interfaces network name to the interface its RAs go out on; a network not named here goes out on the
 *     DHCP interface (or, without {@code dhcp.interfaces}, any interface) holding an IPv4 address in its CIDR
 * @param dns the RDNSS addresses (canonical text) on every link; empty: Anvil's own addresses in each link's /64
 *     when the DNS listener answers on them on port 53
 */
public record RaConfig(
        Optional<Boolean> enabled,
        Path radvd,
        boolean router,
        boolean managed,
        boolean autonomous,
        int minInterval,
        int maxInterval,
        Map<String, String> interfaces,
        Optional<List<String>> dns) {

    public static final Path DEFAULT_RADVD = Path.of("/usr/sbin/radvd");

    public RaConfig {
        interfaces = Map.copyOf(interfaces);
        dns = dns.map(List::copyOf);
    }

    public static RaConfig defaults() {
        return new RaConfig(Optional.empty(), DEFAULT_RADVD, false, true, false, 10, 30, Map.of(), Optional.empty());
    }

    /**
     * Whether RAs are sent: {@link #enabled} as written, else (auto) when DHCP serves named interfaces and a
     * network Anvil serves addresses on (not proxyDHCP) has a v6 prefix.
     */
    public boolean active(DhcpConfig dhcp, List<dev.anvil.core.net.Network> networks) {
        return enabled.orElseGet(() -> dhcp.enabled()
                && !dhcp.interfaces().isEmpty()
                && networks.stream()
                        .anyMatch(n -> !n.proxyDhcp() && !(n.v6prefix() instanceof dev.anvil.core.net.V6Prefix.None)));
    }

    /** The router lifetime advertised: 0 unless {@link #router}, else 3 x {@link #maxInterval} (at most 9000 s). */
    public int routerLifetime() {
        return router ? Math.min(9000, 3 * maxInterval) : 0;
    }
}
