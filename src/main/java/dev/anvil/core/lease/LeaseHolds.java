package dev.anvil.core.lease;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import java.util.Collection;
import java.util.Optional;

/**
 * The lease side of "may this address be reserved for this node": the live DHCP lease (an offer's hold or a
 * binding) of a MAC other than the node's own on the address, if there is one. A store asks it inside the
 * transaction that reserves an address, so a reservation never lands on an address another machine holds.
 */
@FunctionalInterface
public interface LeaseHolds {
    /** No leases anywhere (DHCP off, or a test without them). */
    LeaseHolds NONE = (network, ip, owner) -> Optional.empty();

    /** The live lease on {@code ip} in {@code network} of a MAC not in {@code owner}, if there is one now. */
    Optional<Lease> otherThan(String network, Ipv4Address ip, Collection<MacAddress> owner);
}
