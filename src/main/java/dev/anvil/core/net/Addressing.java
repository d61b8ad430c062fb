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

    /** The network (of {@code networks}) whose /64 holds the address: how an IPv6 client's network is found. */
    public Optional<Network> containing(Iterable<Network> networks, Inet6Address address) {
        for (Network n : networks) {
            Optional<Ipv6Prefix64> p = prefix(n);
            if (p.isPresent() && p.get().contains(address)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code address} is the node's derived address on {@code network}. */
    public boolean isNodeAddress(Network network, String fqdn, Inet6Address address) {
        return ipv6(network, fqdn)
                .map(a -> java.util.Arrays.equals(a.getAddress(), address.getAddress()))
                .orElse(false);
    }
}
