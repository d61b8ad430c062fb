package dev.anvil.core.lease;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeDirectory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who holds an IPv4 address: the one place that answers it across both kinds of holder, a node's reservation
 * (the node directory) and a DHCP lease (the lease book). Invariant: an address has at most one holder. Two
 * rules keep it: a reservation is never made on an address a live lease of another MAC holds ({@link
 * #otherThan}, asked by the store inside the reserving transaction), and DHCP never hands a reserved address
 * to its node while another MAC's live lease holds it ({@link #yields}: the node gets a pool address meanwhile,
 * as Kea does, and the other machine is refused at its next renewal). {@link #conflicts} lists what breaks the
 * invariant anyway (state from before these rules, a restored database): checked at start.
 */
public final class AddressBook implements LeaseHolds {
    private static final Logger log = LoggerFactory.getLogger(AddressBook.class);
    private final NodeDirectory reservations;
    private final Function<Ipv4Address, Optional<Lease>> leaseAt;
    private final Supplier<List<Lease>> leases;
    private final Clock clock;

    /**
     * @param reservations the nodes with their addresses
     * @param leaseAt the lease recorded at an address (any state; empty without DHCP)
     * @param leases every lease recorded (empty without DHCP)
     */
    public AddressBook(
            NodeDirectory reservations,
            Function<Ipv4Address, Optional<Lease>> leaseAt,
            Supplier<List<Lease>> leases,
            Clock clock) {
        this.reservations = reservations;
        this.leaseAt = leaseAt;
        this.leases = leases;
        this.clock = clock;
    }

    /** Who holds an address: a node's reservation, or a live lease. */
    public sealed interface Holder {
        /** The address is reserved for this node. */
        record Reserved(Node node) implements Holder {}

        /** A live DHCP lease holds the address (a machine on the pool, or one whose node is gone). */
        record Leased(Lease lease) implements Holder {}
    }

    /** A reserved address that a live lease of another MAC holds. */
    public record Conflict(Node node, Lease lease) {
        @Override
        public String toString() {
            return lease.ip() + " on " + lease.network() + ": reserved for node " + node.name() + " " + node.macs()
                    + " but leased to " + lease.mac() + " until " + lease.expires();
        }
    }

    /** The holder of {@code ip} on {@code network} now: its node's reservation first, else a live lease. */
    public Optional<Holder> holderOf(String network, Ipv4Address ip) {
        Optional<Node> node = reservations.byIpv4(ip).filter(n -> reservedOn(n, network, ip));
        if (node.isPresent()) {
            return Optional.of(new Holder.Reserved(node.get()));
        }
        Instant now = clock.instant();
        return leaseAt.apply(ip)
                .filter(l -> l.network().equals(network) && l.holds(now))
                .map(Holder.Leased::new);
    }

    @Override
    public Optional<Lease> otherThan(String network, Ipv4Address ip, Collection<MacAddress> owner) {
        Instant now = clock.instant();
        return leaseAt.apply(ip).filter(l -> live(l, network, owner, now));
    }

    /** Reserved addresses held by another MAC's live lease now, in no particular order. */
    public List<Conflict> conflicts() {
        Instant now = clock.instant();
        List<Conflict> out = new ArrayList<>();
        for (Lease l : leases.get()) {
            reservations
                    .byIpv4(l.ip())
                    .filter(n -> reservedOn(n, l.network(), l.ip()) && live(l, l.network(), n.macs(), now))
                    .ifPresent(n -> out.add(new Conflict(n, l)));
        }
        return out;
    }

    /** Logs every conflict {@link #conflicts} finds (one warning each, saying how it resolves); returns them. */
    public List<Conflict> report() {
        List<Conflict> found = conflicts();
        for (Conflict c : found) {
            log.warn(
                    "address conflict: {}; the node is served from the DHCP pool until that lease ends, and the other "
                            + "machine is refused at its next renewal",
                    c);
        }
        return found;
    }

    /**
     * The DHCP rule: whether a node's reservation must wait because {@code atReserved}, the lease recorded on
     * it, is another MAC's and still live (an offer's hold, a binding or a quarantine).
     */
    public static boolean yields(
            Optional<Lease> atReserved, Collection<MacAddress> owner, String network, Instant now) {
        return atReserved.filter(l -> live(l, network, owner, now)).isPresent();
    }

    private static boolean live(Lease l, String network, Collection<MacAddress> owner, Instant now) {
        return l.network().equals(network) && l.holds(now) && !owner.contains(l.mac());
    }

    private static boolean reservedOn(Node n, String network, Ipv4Address ip) {
        return n.addressOn(network).map(NodeAddress::ipv4).filter(ip::equals).isPresent();
    }
}
