package dev.anvil.api;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.ClientAddress;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a request on the boot listener comes from the node it names: its source address (the socket's,
 * never a header's) is one of the node's reserved IPv4 addresses, the address a live DHCP lease of one of
 * the node's MACs holds now, or the node's derived IPv6 address on one of the networks it has an address on
 * (the network's /64 and md5 of its name, the address DHCPv6 gives it and its AAAA record names). Any other
 * IPv6 address, in a served /64 or not, is not the node.
 */
public final class NodeOrigin {
    private final Function<Ipv4Address, Optional<Lease>> leaseAt;
    private final Function<String, Optional<Network>> network;
    private final Addressing addressing;
    private final Clock clock;

    public NodeOrigin(
            Function<Ipv4Address, Optional<Lease>> leaseAt,
            Function<String, Optional<Network>> network,
            Addressing addressing,
            Clock clock) {
        this.leaseAt = leaseAt;
        this.network = network;
        this.addressing = addressing;
        this.clock = clock;
    }

    public boolean isFrom(Node node, InetAddress source) {
        Optional<Inet6Address> v6 = ClientAddress.ipv6(source);
        if (v6.isPresent()) {
            for (NodeAddress a : node.addresses()) {
                Optional<Network> n = network.apply(a.network());
                if (n.isPresent() && addressing.isNodeAddress(n.get(), node.name(), v6.get())) {
                    return true;
                }
            }
            return false;
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
