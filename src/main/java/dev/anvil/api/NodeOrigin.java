package dev.anvil.api;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a request on the boot listener comes from the node it names: its source address (the socket's,
 * never a header's) is one of the node's reserved IPv4 addresses, or the address a live DHCP lease of one of
 * the node's MACs holds now.
 */
public final class NodeOrigin {
    private final Function<Ipv4Address, Optional<Lease>> leaseAt;
    private final Clock clock;

    public NodeOrigin(Function<Ipv4Address, Optional<Lease>> leaseAt, Clock clock) {
        this.leaseAt = leaseAt;
        this.clock = clock;
    }

    public boolean isFrom(Node node, InetAddress source) {
        Optional<Ipv4Address> ip = ipv4(source);
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

    /** The IPv4 address of a socket address, also when it comes as an IPv4-mapped IPv6 address. */
    static Optional<Ipv4Address> ipv4(InetAddress a) {
        if (a instanceof Inet4Address v4) {
            return Optional.of(Ipv4Address.of(v4));
        }
        if (a instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return Optional.empty();
                }
            }
            if ((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                return Optional.of(Ipv4Address.fromBytes(b, 12));
            }
        }
        return Optional.empty();
    }
}
