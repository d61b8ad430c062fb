package dev.anvil.app;

import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.node.NodeEvents;
import dev.anvil.store.NodeChanges;
import dev.anvil.store.NodeQuery;
import dev.anvil.store.NodeStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the changes other instances made to a shared store into this one (doc/scale-out.md): a node the store
 * has otherwise than the {@link NodeDirectory} is published through {@link NodeEvents#publishIf} as the change
 * it is ({@code CREATED}, {@code UPDATED}, {@code BOOT_ENV_CHANGED} or {@code DELETED}, marked {@link
 * NodeEvent#remote()}), so the directory, the DNS zones, the event stream and every other subscriber follow it
 * exactly as a write through this instance's {@link NodeService}. This instance's own writes come back as
 * notifications too and find the directory equal to the store: nothing is published.
 *
 * <p>A change published is bracketed by the {@link NodeService.WriteGuard} as a local write is (the DHCP
 * snapshot is removed before the directory changes, and rewritten after); the other instance's commit came
 * first, though, so a crash between it and this instance's notification leaves a snapshot one change old (the
 * next start answers DHCP from it only until the store is open).
 */
public final class NodeSync implements NodeChanges {
    private static final Logger log = LoggerFactory.getLogger(NodeSync.class);
    private final NodeStore store;
    private final NodeDirectory directory;
    private final NodeEvents events;
    private final NodeService.WriteGuard guard;

    public NodeSync(NodeStore store, NodeDirectory directory, NodeEvents events, NodeService.WriteGuard guard) {
        this.store = store;
        this.directory = directory;
        this.events = events;
        this.guard = guard;
    }

    @Override
    public boolean changed(long id) {
        directory.size(); // waits for the directory's load outside the commit lock
        Optional<NodeEvent> e = publish(id);
        e.ifPresent(x -> log.debug(
                "node {} {}: {} by another instance", x.node().name(), x.node().macs(), describe(x)));
        return e.isPresent();
    }

    /**
     * Reads every node (one query; outside the commit lock, so local writes go on meanwhile), and reads again
     * under the lock each that differs from the directory, or that the directory has and the store not: a local
     * write between the read and the comparison is found equal then, and publishes nothing.
     */
    @Override
    public int resync() {
        directory.size();
        Map<Long, Node> stored = new HashMap<>();
        store.list(NodeQuery.all()).forEach(n -> stored.put(n.id(), n));
        TreeSet<Long> differ = new TreeSet<>();
        stored.forEach((id, n) -> {
            if (!directory.byId(id).map(n::equals).orElse(false)) {
                differ.add(id);
            }
        });
        directory.all().stream()
                .map(Node::id)
                .filter(id -> !stored.containsKey(id))
                .forEach(differ::add);
        int found = 0;
        for (long id : differ) {
            Optional<NodeEvent> e = publish(id);
            if (e.isPresent()) {
                found++;
                log.info(
                        "node {} {}: {} by another instance (found by the resync: its notification was missed)",
                        e.get().node().name(),
                        e.get().node().macs(),
                        describe(e.get()));
            }
        }
        return found;
    }

    /** Reads node {@code id} under the commit lock and publishes how it differs from the directory's, if it does. */
    private Optional<NodeEvent> publish(long id) {
        boolean[] begun = {false};
        try {
            return events.publishIf(v -> {
                Optional<NodeEvent> e = difference(id, store.byId(id), directory.byId(id), v);
                if (e.isPresent()) {
                    guard.begin();
                    begun[0] = true;
                }
                return e;
            });
        } finally {
            if (begun[0]) {
                guard.end();
            }
        }
    }

    /** The event that takes {@code held} (this instance's) to {@code stored}, as version {@code v}; none if equal. */
    static Optional<NodeEvent> difference(long id, Optional<Node> stored, Optional<Node> held, long v) {
        if (stored.equals(held)) {
            return Optional.empty();
        }
        if (stored.isEmpty()) {
            return Optional.of(new NodeEvent(v, NodeEvent.Kind.DELETED, held, Optional.empty(), true));
        }
        if (stored.get().id() != id) {
            throw new IllegalStateException(
                    "the store answered node " + stored.get().id() + " for id " + id);
        }
        if (held.isEmpty()) {
            return Optional.of(new NodeEvent(v, NodeEvent.Kind.CREATED, Optional.empty(), stored, true));
        }
        NodeEvent.Kind kind = Objects.equals(held.get().bootEnv(), stored.get().bootEnv())
                ? NodeEvent.Kind.UPDATED
                : NodeEvent.Kind.BOOT_ENV_CHANGED;
        return Optional.of(new NodeEvent(v, kind, held, stored, true));
    }

    private static String describe(NodeEvent e) {
        return switch (e.kind()) {
            case CREATED -> "created";
            case DELETED -> "deleted";
            case UPDATED -> "updated";
            case BOOT_ENV_CHANGED -> "moved to boot environment " + e.node().bootEnv();
        };
    }
}
