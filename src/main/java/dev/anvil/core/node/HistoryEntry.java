package dev.anvil.core.node;

import java.time.Instant;
import java.util.Optional;

/** One recorded transition: {@code from} is empty for the node's creation. */
public record HistoryEntry(
        Instant at, Optional<NodeState> from, NodeState to, String event, String actor, Optional<String> reason) {}
