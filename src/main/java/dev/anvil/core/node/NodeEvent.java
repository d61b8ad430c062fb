package dev.anvil.core.node;

import java.util.Optional;

/**
 * A committed change to a node. {@code before} is empty for a creation, {@code after} for a deletion.
 * {@code version}: this change's place in the order of all node changes (1, 2, 3, ... in commit order, see
 * {@link NodeEvents}); a cache that has applied a version of a node ignores any event for that node that is
 * not newer.
 */
public record NodeEvent(long version, Kind kind, Optional<Node> before, Optional<Node> after) {

    public enum Kind {
        CREATED,
        UPDATED,
        BOOT_ENV_CHANGED,
        DELETED
    }

    public NodeEvent {
        if (before.isEmpty() && after.isEmpty()) {
            throw new IllegalArgumentException("a node event needs a node before or after");
        }
    }

    /** The node as it is now, or as it was when it was deleted. */
    public Node node() {
        return after.or(() -> before).orElseThrow();
    }
}
