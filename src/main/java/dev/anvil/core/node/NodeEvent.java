package dev.anvil.core.node;

import java.util.Optional;

/**
 * A committed change to a node. {@code before} is empty for a creation, {@code after} for a deletion.
 * {@code version}: this change's place in the order of all node changes (1, 2, 3, ... in commit order, see
 * {@link NodeEvents}); a cache that has applied a version of a node ignores any event for that node that is
 * not newer. {@code remote}: another instance sharing the store made the change and this one read it back
 * ({@link NodeEvents#publishIf}): caches follow it like any other, but a subscriber that writes to the shared
 * store on a change (the boot timeline, install tokens) leaves it to the instance that made it, which already did.
 */
public record NodeEvent(long version, Kind kind, Optional<Node> before, Optional<Node> after, boolean remote) {

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

    /** A change this instance made. */
    public NodeEvent(long version, Kind kind, Optional<Node> before, Optional<Node> after) {
        this(version, kind, before, after, false);
    }

    /** The node as it is now, or as it was when it was deleted. */
    public Node node() {
        return after.or(() -> before).orElseThrow();
    }
}
