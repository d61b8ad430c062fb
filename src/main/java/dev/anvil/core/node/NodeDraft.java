package dev.anvil.core.node;

import dev.anvil.core.net.Ipv4Address;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated request to create a node. {@code addresses} maps each network the node joins to a pinned
 * address (a static reservation) or to empty for "the next free address of the static range".
 */
public record NodeDraft(
        String name,
        List<MacAddress> macs,
        Map<String, Optional<Ipv4Address>> addresses,
        String bootEnv,
        Optional<String> targetOs,
        boolean available,
        NodeState state,
        String actor) {

    /** A draft created through the API (the actor the history names). */
    public NodeDraft(
            String name,
            List<MacAddress> macs,
            Map<String, Optional<Ipv4Address>> addresses,
            String bootEnv,
            Optional<String> targetOs,
            boolean available,
            NodeState state) {
        this(name, macs, addresses, bootEnv, targetOs, available, state, "api");
    }

    public NodeDraft {
        macs = List.copyOf(macs);
        addresses = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(addresses));
    }
}
