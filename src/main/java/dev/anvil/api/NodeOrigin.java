package dev.anvil.api;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.ClientAddress;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a request on the boot listener comes from the node it names: its source address (the socket's,
 * never a header's) is one of the node's reserved IPv4 addresses, the address a live DHCP lease of one of
 * the node's MACs holds now, or the node's derived IPv6 address on the served network whose /64 holds the source
 * (the network's /64 and md5 of its name, the address DHCPv6 gives it and its AAAA record names), when the node
 * holds one there ({@link Node#holdsIpv6On}: it has an address on that network, or none anywhere, as a discovered
 * machine). Any other IPv6 address, in a served /64 or not, is not the node.
 */
public final class NodeOrigin {
    private final Function<Ipv4Address, Optional<Lease>> leaseAt;
    private final NetworkCatalog networks;
    private final Addressing addressing;
    private final Clock clock;

    public NodeOrigin(
            Function<Ipv4Address, Optional<Lease>> leaseAt,
            NetworkCatalog networks,
            Addressing addressing,
            Clock clock) {
        this.leaseAt = leaseAt;
        this.networks = networks;
        this.addressing = addressing;
        this.clock = clock;
    }

    /**
     * The node's own IPv6 address on the link {@code source} (an IPv6 client address) is on: its derived address on
     * the served network whose /64 holds {@code source}, when the node holds one there; empty for an IPv4 source,
     * a source in no served /64, or a node that has addresses on other networks only.
     */
    public Optional<Inet6Address> ipv6On(Node node, InetAddress source) {
        return ClientAddress.ipv6(source)
                .flatMap(a -> addressing.containing(networks.all(), a))
                .filter(n -> node.holdsIpv6On(n.name()))
                .flatMap(n -> addressing.ipv6(n, node.name()));
    }

    public boolean isFrom(Node node, InetAddress source) {
        Optional<Inet6Address> v6 = ClientAddress.ipv6(source);
        if (v6.isPresent()) {
            return ipv6On(node, source)
                    .filter(a -> Arrays.equals(a.getAddress(), v6.get().getAddress()))
                    .isPresent();
        }
        Optional<Ipv4Address> ip = ClientAddress.ipv4(source);
        if (ip.isEmpty()) {
            return false;
        }
        for (NodeAddress a : node.addresses()) {
            if (a.ipv4().equals(ip.get())) {
                return true;
            }
        }
        return leaseAt.apply(ip.get())
                .filter(l -> l.holds(clock.instant()) && node.macs().contains(l.mac()))
                .isPresent();
    }
}
