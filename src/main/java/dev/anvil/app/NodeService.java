package dev.anvil.app;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.lease.LeaseHolds;
import dev.anvil.core.node.HistoryEntry;
import dev.anvil.core.node.Lifecycle;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.node.NodeEvents;
import dev.anvil.core.node.NodeState;
import dev.anvil.core.node.Transition;
import dev.anvil.store.NodeQuery;
import dev.anvil.store.NodeStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way node state changes: checks a change against the boot environment catalog, commits it through
 * the store, then publishes the committed change to subscribers (DHCP, DNS and boot files re-plan on it). Each
 * committed change is one INFO line naming the node and its MACs (created, deleted, an action with the state
 * it led to, a note); a plain update is DEBUG.
 */
public final class NodeService {
    private static final Logger log = LoggerFactory.getLogger(NodeService.class);
    private final LeaseHolds holds;
    private final NodeStore store;
    private final BootEnvironments bootEnvs;
    private final NodeEvents events;
    private final Clock clock;
    private final WriteGuard guard;

    /**
     * Brackets every node write: {@code begin} runs before the store call (it may refuse the write by throwing),
     * {@code end} after the write committed and its event was published, or after it failed.
     */
    public interface WriteGuard {
        WriteGuard NONE = new WriteGuard() {
            @Override
            public void begin() {}

            @Override
            public void end() {}
        };

        void begin();

        void end();
    }

    public NodeService(NodeStore store, BootEnvironments bootEnvs, NodeEvents events, Clock clock) {
        this(store, bootEnvs, events, clock, WriteGuard.NONE);
    }

    public NodeService(NodeStore store, BootEnvironments bootEnvs, NodeEvents events, Clock clock, WriteGuard guard) {
        this(store, bootEnvs, events, clock, guard, LeaseHolds.NONE);
    }

    /**
     * @param holds the live DHCP leases a reservation must not land on (the {@link
     *     dev.anvil.core.lease.AddressBook}); asked inside the reserving transaction
     */
    public NodeService(
            NodeStore store,
            BootEnvironments bootEnvs,
            NodeEvents events,
            Clock clock,
            WriteGuard guard,
            LeaseHolds holds) {
        this.holds = holds;
        this.store = store;
        this.bootEnvs = bootEnvs;
        this.events = events;
        this.clock = clock;
        this.guard = guard;
    }

    private <T> T guarded(java.util.function.Supplier<T> write) {
        this.guard.begin();
        try {
            return write.get();
        } finally {
            this.guard.end();
        }
    }

    public Node create(NodeDraft draft) {
        checkBootEnv(draft.bootEnv());
        draft.targetOs().ifPresent(this::checkTargetOs);
        Node n = guarded(() -> events.commit(
                () -> store.create(draft, clock.instant(), holds),
                (node, v) -> new NodeEvent(v, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(node))));
        log.info(
                "node {} {}: created in state {}, boot environment {}",
                n.name(),
                n.macs(),
                n.state().wireName(),
                n.bootEnv());
        return n;
    }

    /**
     * Creates the node, stores its inventory (when given) and runs {@code action} on it, in one transaction: a new
     * machine's registration as one commit. The action is checked against the state machine from the created
     * node's state; {@code extra} adds to the change it makes. Publishes the creation and the transition as two
     * events, in that order. Returns the node after the action.
     */
    public Node createActing(
            NodeDraft draft,
            Optional<String> inventoryJson,
            Lifecycle.Action action,
            String actor,
            Optional<String> reason,
            java.util.function.Function<Node, NodeChange> extra) {
        checkBootEnv(draft.bootEnv());
        draft.targetOs().ifPresent(this::checkTargetOs);
        NodeStore.Updated u = guarded(() -> events.commitAll(
                () -> store.createThen(
                        draft,
                        inventoryJson,
                        created -> transition(created, action, actor, reason, extra, n -> {}),
                        clock.instant(),
                        holds),
                (r, v) -> List.of(
                        new NodeEvent(v, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(r.before())),
                        changed(r, v + 1))));
        Node n = u.after();
        log.info(
                "node {} {}: created in state {}, then {} by {}, now {}{}, boot environment {}",
                n.name(),
                n.macs(),
                u.before().state().wireName(),
                action.wireName(),
                actor,
                n.state().wireName(),
                reason.map(r -> " (" + r + ")").orElse(""),
                n.bootEnv());
        return n;
    }

    public Node update(String name, NodeChange change) {
        change.bootEnv().ifPresent(this::checkBootEnv);
        change.targetOs().flatMap(o -> o).ifPresent(this::checkTargetOs);
        Node n = guarded(() -> published(() -> store.update(name, change, clock.instant(), holds)));
        log.debug("node {} {}: updated", n.name(), n.macs());
        return n;
    }

    /**
     * Runs a lifecycle action on the node: checks it against the state machine on the locked row, applies
     * the state it leads to plus {@code extra} (boot env, target OS), records the transition, publishes the
     * committed change. An action the node's state does not allow throws {@link ConflictException} naming
     * the state; nothing changes. {@code guard} runs on the locked node first and may throw to refuse.
     */
    public Node act(
            String name,
            Lifecycle.Action action,
            String actor,
            Optional<String> reason,
            java.util.function.Function<Node, NodeChange> extra,
            java.util.function.Consumer<Node> guard) {
        return act(name, Optional.empty(), action, actor, reason, extra, guard);
    }

    /**
     * {@link #act} that also stores the inventory the node reported, in the same transaction (a known machine
     * registering again: one commit); a refused action stores nothing.
     */
    public Node act(
            String name,
            Optional<String> inventoryJson,
            Lifecycle.Action action,
            String actor,
            Optional<String> reason,
            java.util.function.Function<Node, NodeChange> extra,
            java.util.function.Consumer<Node> guard) {
        java.util.function.Function<Node, Transition> decide =
                before -> transition(before, action, actor, reason, extra, guard);
        Node n = guarded(() -> published(() -> {
            Instant now = clock.instant();
            return inventoryJson.isPresent()
                    ? store.transitionReporting(name, inventoryJson.get(), decide, now, holds)
                    : store.transition(name, decide, now, holds);
        }));
        log.info(
                "node {} {}: {} by {}, now {}{}",
                n.name(),
                n.macs(),
                action.wireName(),
                actor,
                n.state().wireName(),
                reason.map(r -> " (" + r + ")").orElse(""));
        return n;
    }

    /**
     * Records something that happened to the node outside the state machine (its state stays) in its history,
     * with {@code change}, in one transaction; publishes the committed change.
     */
    public Node note(String name, String event, String actor, String reason, NodeChange change) {
        Node n = guarded(() -> published(() -> store.transition(
                name, before -> new Transition(change, event, actor, Optional.of(reason)), clock.instant(), holds)));
        log.info(
                "node {} {}: {} by {} ({}), state {}",
                n.name(),
                n.macs(),
                event,
                actor,
                reason,
                n.state().wireName());
        return n;
    }

    /**
     * The transition {@code action} makes from the node's state (a state the action does not allow: a conflict),
     * once {@code guard} has not refused it, with {@code extra}'s change.
     */
    private Transition transition(
            Node before,
            Lifecycle.Action action,
            String actor,
            Optional<String> reason,
            java.util.function.Function<Node, NodeChange> extra,
            java.util.function.Consumer<Node> guard) {
        NodeState next = Lifecycle.next(before.state(), action)
                .orElseThrow(() -> new ConflictException(
                        "state",
                        "cannot " + action.wireName() + " node " + before.name() + " in state "
                                + before.state().wireName()));
        guard.accept(before);
        NodeChange change = extra.apply(before).withState(next);
        change.bootEnv().ifPresent(this::checkBootEnv);
        return new Transition(change, action.wireName(), actor, reason);
    }

    /** Commits the update and publishes it (versioned, in commit order). */
    private Node published(java.util.function.Supplier<NodeStore.Updated> write) {
        return events.commit(write, NodeService::changed).after();
    }

    private static NodeEvent changed(NodeStore.Updated u, long version) {
        return new NodeEvent(
                version,
                Objects.equals(u.before().bootEnv(), u.after().bootEnv())
                        ? NodeEvent.Kind.UPDATED
                        : NodeEvent.Kind.BOOT_ENV_CHANGED,
                Optional.of(u.before()),
                Optional.of(u.after()));
    }

    public List<HistoryEntry> history(Node node) {
        return store.history(node.id());
    }

    public void putInventory(Node node, String json) {
        store.putInventory(node.id(), json, clock.instant());
    }

    public Optional<String> inventory(Node node) {
        return store.inventory(node.id());
    }

    public Node delete(String name) {
        Node n = guarded(() -> events.commit(
                () -> store.delete(name),
                (node, v) -> new NodeEvent(v, NodeEvent.Kind.DELETED, Optional.of(node), Optional.empty())));
        log.info("node {} {}: deleted", n.name(), n.macs());
        return n;
    }

    public Optional<Node> get(String name) {
        return store.get(name);
    }

    public Optional<Node> findByMac(MacAddress mac) {
        return store.findByMac(mac);
    }

    public List<Node> list(NodeQuery query) {
        return store.list(query);
    }

    private void checkBootEnv(String name) {
        if (bootEnvs.get(name).isEmpty()) {
            throw new InvalidInputException("bootEnv", "no boot environment named \"" + name + "\"");
        }
    }

    private void checkTargetOs(String os) {
        if (bootEnvs.installerFor(os).isEmpty()) {
            throw new InvalidInputException(
                    "targetOs",
                    "no installer boot environment for \"" + os + "\" (known: "
                            + String.join(", ", bootEnvs.installableOses()) + ")");
        }
    }
}
