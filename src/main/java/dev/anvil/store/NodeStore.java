package dev.anvil.store;

import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Nodes with their MACs and IPv4 addresses. Every method is one transaction: either all of it is
 * committed or none. Conflicts (duplicate name or MAC, an address taken or exhausted) throw
 * {@link dev.anvil.core.ConflictException}; a missing node or network {@link dev.anvil.core.NotFoundException}.
 */
public interface NodeStore {

  /**
   * Creates the node and allocates its addresses atomically: a pinned address must be free, otherwise the
   * lowest free address of the network's static range (never the router) is taken. Two concurrent creates
   * never get the same address.
   */
  Node create(NodeDraft draft, Instant now);

  Optional<Node> get(String name);

  Optional<Node> findByMac(MacAddress mac);

  List<Node> list(NodeQuery query);

  /** Applies the change; returns the node before and after. */
  Updated update(String name, NodeChange change, Instant now);

  /** Deletes the node and frees its addresses; returns it as it was. */
  Node delete(String name);

  Map<NodeState, Long> countByState();

  record Updated(Node before, Node after) {}
}
