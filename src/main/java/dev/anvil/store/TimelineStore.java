package dev.anvil.store;

import dev.anvil.core.timeline.TimelineEvent;
import java.util.List;

/** The per-node boot timelines. Each method is one transaction; a node's events go when the node does. */
public interface TimelineStore {
    /** One event and the node it concerns. */
    record Entry(long nodeId, TimelineEvent event) {}

    /**
     * Stores the entries in their order, then deletes each of their nodes' oldest events beyond {@code perNode}.
     * An entry whose node no longer exists is skipped. Returns how many were stored.
     */
    int append(List<Entry> entries, int perNode);

    /** The node's latest {@code limit} events, oldest first. */
    List<TimelineEvent> latest(long nodeId, int limit);
}
