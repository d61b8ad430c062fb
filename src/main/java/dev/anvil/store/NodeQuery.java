package dev.anvil.store;

import dev.anvil.core.node.NodeState;
import java.util.Optional;

/** Filters for listing nodes; empty fields match everything. */
public record NodeQuery(Optional<NodeState> state, Optional<String> bootEnv) {
    public static NodeQuery all() {
        return new NodeQuery(Optional.empty(), Optional.empty());
    }
}
