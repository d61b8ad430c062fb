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

  /**
   * Locks the node's row, lets {@code decide} compute the transition from the locked node (it throws to
   * refuse: nothing changes), applies the change and records the transition in the history, in one
   * transaction. Two transitions of one node never interleave.
   */
  Updated transition(String name, java.util.function.Function<Node, dev.anvil.core.node.Transition> decide,
      Instant now);

  /** Every recorded transition of the node, oldest first (its creation included). */
  List<dev.anvil.core.node.HistoryEntry> history(long nodeId);

  /** Stores the inventory the node reported (JSON), replacing an earlier one. */
  void putInventory(long nodeId, String json, Instant now);

  Optional<String> inventory(long nodeId);

  /** Deletes the node and frees its addresses; returns it as it was. */
  Node delete(String name);

  Map<NodeState, Long> countByState();

  record Updated(Node before, Node after) {}
}
