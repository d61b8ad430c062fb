package dev.anvil.core.net;

import java.util.Optional;

/**
 * A cluster network: its numeric id (also the ULA subnet ID), IPv4 CIDR, the static host range nodes get
 * addresses from, the DHCP pool for unknown machines, the router, the DNS domain, the IPv6 prefix rule and
 * Anvil's own address on it (the DHCP server identifier, next-server and DNS server it hands out), and
 * whether Anvil only answers the boot question there (proxyDHCP) because another server owns the addresses.
 * Built through {@link NetworkDraft#validate}, so every instance is consistent.
 */
public record Network(
        String name,
        int id,
        Ipv4Cidr cidr,
        Ipv4Range staticRange,
        Optional<Ipv4Range> dhcpPool,
        Optional<Ipv4Address> router,
        String domain,
        V6Prefix v6prefix,
        Optional<Ipv4Address> serverAddress,
        boolean proxyDhcp) {

    public Network {
        if (!cidr.contains(staticRange) || dhcpPool.map(p -> !cidr.contains(p)).orElse(false)) {
            throw new IllegalArgumentException("ranges of network " + name + " must lie inside " + cidr);
        }
        if (dhcpPool.map(staticRange::overlaps).orElse(false)) {
            throw new IllegalArgumentException("the static range of network " + name + " overlaps its DHCP pool");
        }
    }

    /**
     * True if a node may hold this address as a static reservation: a host address, not the router, not in the
     * pool.
     */
    public boolean isReservable(Ipv4Address a) {
        return whyNotReservable(a).isEmpty();
    }

    /** Why an address cannot be reserved on this network, or empty if it can. */
    public Optional<String> whyNotReservable(Ipv4Address a) {
        if (!cidr.contains(a)) {
            return Optional.of(a + " is not in network " + name + " (" + cidr + ")");
        }
        if (!cidr.isHostAddress(a)) {
            return Optional.of(a + " is the network or broadcast address of " + cidr);
        }
        if (router.map(a::equals).orElse(false)) {
            return Optional.of(a + " is the router of network " + name);
        }
        if (serverAddress.map(a::equals).orElse(false)) {
            return Optional.of(a + " is Anvil's own address on network " + name);
        }
        if (dhcpPool.map(p -> p.contains(a)).orElse(false)) {
            return Optional.of(a + " lies in the DHCP pool " + dhcpPool.get() + " of network " + name);
        }
        return Optional.empty();
    }

    /** This network's /64, if it has one, given the installation's ULA global ID. */
    public Optional<Ipv6Prefix64> ipv6Prefix(long ulaGlobalId) {
        return v6prefix.resolve(ulaGlobalId, id);
    }

    public NetworkDraft toDraft() {
        return new NetworkDraft(
                name,
                id,
                cidr.toString(),
                staticRange.toString(),
                dhcpPool.map(Ipv4Range::toString).orElse(null),
                router.map(Ipv4Address::toString).orElse(null),
                domain,
                v6prefix.text(),
                serverAddress.map(Ipv4Address::toString).orElse(null),
                proxyDhcp ? true : null);
    }
}
