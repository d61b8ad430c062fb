package dev.anvil.store.h2;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
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

/**
 * Picks node addresses inside the creating transaction. Each network row is locked (SELECT ... FOR UPDATE) in
 * name order, so concurrent allocations on a network queue up and never see the same free address; the
 * unique (network, ipv4) constraint backs this up.
 */
final class AddressAllocator {
  private AddressAllocator() {}

  static List<NodeAddress> allocate(Connection c, long nodeId, Map<String, Optional<Ipv4Address>> wanted)
      throws SQLException {
    List<NodeAddress> out = new ArrayList<>();
    for (Map.Entry<String, Optional<Ipv4Address>> e : new TreeMap<>(wanted).entrySet()) {
      String field = "addresses." + e.getKey();
      Network net = H2NetworkStore.select(c, e.getKey(), true)
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
      } else {
        address = firstFree(c, net).orElseThrow(() -> new ConflictException(field,
            "network " + net.name() + " has no free address left in its static range " + net.staticRange()));
      }
      try (PreparedStatement p = c.prepareStatement(
          "INSERT INTO node_addresses (node_id, network, ipv4) VALUES (?, ?, ?)")) {
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

  /** The lowest address of the static range that no node holds and that is neither the router nor Anvil. */
  private static Optional<Ipv4Address> firstFree(Connection c, Network net) throws SQLException {
    long next = net.staticRange().start().unsigned();
    long end = net.staticRange().end().unsigned();
    long router = net.router().map(Ipv4Address::unsigned).orElse(-1L);
    long self = net.serverAddress().map(Ipv4Address::unsigned).orElse(-1L);
    try (PreparedStatement p = c.prepareStatement("SELECT ipv4 FROM node_addresses WHERE network = ? "
        + "AND ipv4 BETWEEN ? AND ? ORDER BY ipv4")) {
      p.setString(1, net.name());
      p.setLong(2, next);
      p.setLong(3, end);
      try (ResultSet rs = p.executeQuery()) {
        while (true) {
          if (next == router || next == self) {
            next++;
            continue;
          }
          if (next > end) {
            return Optional.empty();
          }
          if (!rs.next()) {
            return Optional.of(Ipv4Address.ofUnsigned(next));
          }
          long used = rs.getLong(1);
          if (used > next) {
            return Optional.of(Ipv4Address.ofUnsigned(next));
          }
          next = used + 1;
        }
      }
    }
  }
}
