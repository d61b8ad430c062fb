package dev.anvil.store;

import dev.anvil.core.lease.LeaseHolds;
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
     * never get the same address. An address a live lease of another MAC holds ({@code holds}) is never
     * reserved: a pinned one is a conflict, an automatic pick passes over it.
     */
    Node create(NodeDraft draft, Instant now, LeaseHolds holds);

    /** {@link #create(NodeDraft, Instant, LeaseHolds)} where no lease holds anything. */
    default Node create(NodeDraft draft, Instant now) {
        return create(draft, now, LeaseHolds.NONE);
    }

    Optional<Node> get(String name);

    /** The node with this id, as committed (another instance's writes included, on a shared store). */
    Optional<Node> byId(long id);

    Optional<Node> findByMac(MacAddress mac);

    List<Node> list(NodeQuery query);

    /** Applies the change (an address it reserves passes over those {@code holds} holds); returns before and after. */
    Updated update(String name, NodeChange change, Instant now, LeaseHolds holds);

    /** {@link #update(String, NodeChange, Instant, LeaseHolds)} where no lease holds anything. */
    default Updated update(String name, NodeChange change, Instant now) {
        return update(name, change, now, LeaseHolds.NONE);
    }

    /**
     * Locks the node's row, lets {@code decide} compute the transition from the locked node (it throws to
     * refuse: nothing changes), applies the change and records the transition in the history, in one
     * transaction. Two transitions of one node never interleave.
     */
    Updated transition(
            String name,
            java.util.function.Function<Node, dev.anvil.core.node.Transition> decide,
            Instant now,
            LeaseHolds holds);

    /** {@link #transition(String, java.util.function.Function, Instant, LeaseHolds)} where no lease holds anything. */
    default Updated transition(
            String name, java.util.function.Function<Node, dev.anvil.core.node.Transition> decide, Instant now) {
        return transition(name, decide, now, LeaseHolds.NONE);
    }

    /**
     * {@link #transition(String, java.util.function.Function, Instant, LeaseHolds)} that also stores the inventory
     * the node reported, in the same transaction: a known machine's registration is one commit. {@code decide}
     * throws to refuse: nothing changes, the inventory neither.
     */
    Updated transitionReporting(
            String name,
            String inventoryJson,
            java.util.function.Function<Node, dev.anvil.core.node.Transition> decide,
            Instant now,
            LeaseHolds holds);

    /**
     * Creates the node as {@link #create} does, stores its inventory when there is one, and applies the transition
     * {@code then} computes from the created node (recorded in its history after its creation), all in one
     * transaction: a new machine's registration is one commit instead of three. {@code then} throws to refuse:
     * nothing is created. Returns the node as created and as it is after the transition.
     */
    Updated createThen(
            NodeDraft draft,
            Optional<String> inventoryJson,
            java.util.function.Function<Node, dev.anvil.core.node.Transition> then,
            Instant now,
            LeaseHolds holds);

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
