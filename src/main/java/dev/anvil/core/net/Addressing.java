package dev.anvil.core.net;

import java.net.Inet6Address;
import java.util.Optional;

/** Derives node IPv6 addresses: the network's /64 (ULA from this installation's global ID, or fixed) + md5(FQDN). */
public record Addressing(long ulaGlobalId) {

    public Optional<Ipv6Prefix64> prefix(Network network) {
        return network.ipv6Prefix(ulaGlobalId);
    }

    public Optional<Inet6Address> ipv6(Network network, String fqdn) {
        return prefix(network).map(p -> p.address(InterfaceId.of(fqdn)));
    }
}
