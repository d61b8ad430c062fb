package dev.anvil.core.node;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A machine Anvil boots. Immutable; changes go through the node service and come back as new instances. */
public record Node(
    long id,
    String name,
    List<MacAddress> macs,
    List<NodeAddress> addresses,
    String bootEnv,
    Optional<String> targetOs,
    boolean alive,
    boolean available,
    NodeState state,
    Instant createdAt,
    Instant updatedAt) {

  public Node {
    macs = List.copyOf(macs);
    addresses = List.copyOf(addresses);
  }

  public Optional<NodeAddress> addressOn(String network) {
    return addresses.stream().filter(a -> a.network().equals(network)).findFirst();
  }
}
