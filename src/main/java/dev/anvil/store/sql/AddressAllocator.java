package dev.anvil.store.sql;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.lease.Lease;
import dev.anvil.core.lease.LeaseHolds;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.NodeAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Picks node addresses inside the creating transaction. Each network row is locked (SELECT ... FOR UPDATE) in
 * name order, so concurrent allocations on a network queue up and never see the same free address; the
 * unique (network, ipv4) constraint backs this up. An address a live DHCP lease of another MAC holds ({@link
 * LeaseHolds}) is not reserved: pinned, it is a conflict naming the lease; picked, it is passed over.
 */
final class AddressAllocator {
    private AddressAllocator() {}

    static List<NodeAddress> allocate(
            Connection c,
            long nodeId,
            Map<String, Optional<Ipv4Address>> wanted,
            List<MacAddress> owner,
            LeaseHolds holds)
            throws SQLException {
        List<NodeAddress> out = new ArrayList<>();
        for (Map.Entry<String, Optional<Ipv4Address>> e : new TreeMap<>(wanted).entrySet()) {
            String field = "addresses." + e.getKey();
            Network net = SqlNetworkStore.select(c, e.getKey(), true)
                    .orElseThrow(() -> new InvalidInputException(field, "no network named " + e.getKey()));
            Ipv4Address address;
            if (e.getValue().isPresent()) {
                address = e.getValue().get();
                Optional<String> why = net.whyNotReservable(address);
                if (why.isPresent()) {
                    throw new InvalidInputException(field, why.get());
                }
                if (isTaken(c, net.name(), address)) {
                    throw new ConflictException(field, address + " is held by another node");
                }
                Optional<Lease> leased = holds.otherThan(net.name(), address, owner);
                if (leased.isPresent()) {
                    throw new ConflictException(
                            field,
                            address + " is leased to " + leased.get().mac() + " until "
                                    + leased.get().expires()
                                    + " (a live DHCP lease of another machine); it can be reserved once that "
                                    + "lease ends or is released");
                }
            } else {
                address = firstFree(
                                c,
                                net,
                                a -> holds.otherThan(net.name(), a, owner).isEmpty())
                        .orElseThrow(() -> new ConflictException(
                                field,
                                "network " + net.name() + " has no free address left in its static range "
                                        + net.staticRange()));
            }
            try (PreparedStatement p =
                    c.prepareStatement("INSERT INTO node_addresses (node_id, network, ipv4) VALUES (?, ?, ?)")) {
                p.setLong(1, nodeId);
                p.setString(2, net.name());
                p.setLong(3, address.unsigned());
                p.executeUpdate();
            }
            out.add(new NodeAddress(net.name(), address));
        }
        return out;
    }

    private static boolean isTaken(Connection c, String network, Ipv4Address a) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM node_addresses WHERE network = ? AND ipv4 = ?")) {
            p.setString(1, network);
            p.setLong(2, a.unsigned());
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The lowest address of the static range that no node holds, that is neither the router nor Anvil, and that
     * {@code usable} accepts.
     */
    private static Optional<Ipv4Address> firstFree(Connection c, Network net, Predicate<Ipv4Address> usable)
            throws SQLException {
        long next = net.staticRange().start().unsigned();
        long end = net.staticRange().end().unsigned();
        long router = net.router().map(Ipv4Address::unsigned).orElse(-1L);
        long self = net.serverAddress().map(Ipv4Address::unsigned).orElse(-1L);
        try (PreparedStatement p = c.prepareStatement(
                "SELECT ipv4 FROM node_addresses WHERE network = ? " + "AND ipv4 BETWEEN ? AND ? ORDER BY ipv4")) {
            p.setString(1, net.name());
            p.setLong(2, next);
            p.setLong(3, end);
            try (ResultSet rs = p.executeQuery()) {
                long used = -1; // the node address last read (ascending); MAX_VALUE once there are no more
                while (true) {
                    if (next == router || next == self) {
                        next++;
                        continue;
                    }
                    if (next > end) {
                        return Optional.empty();
                    }
                    if (used < next) {
                        used = rs.next() ? rs.getLong(1) : Long.MAX_VALUE;
                        continue;
                    }
                    if (used == next) {
                        next++;
                        continue;
                    }
                    Ipv4Address candidate = Ipv4Address.ofUnsigned(next);
                    if (usable.test(candidate)) {
                        return Optional.of(candidate);
                    }
                    next++;
                }
            }
        }
    }
}
