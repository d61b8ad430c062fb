package dev.anvil.core.node;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A machine Anvil boots. Immutable; changes go through the node service and come back as new instances.
 * {@code hostKeys}: the SSH host keys its installed system reported (empty: not pinned);
 * {@code hostKeyMismatch}: its SSH server presented another key (cleared when it presents a pinned one again).
 */
public record Node(
        long id,
        String name,
        List<MacAddress> macs,
        List<NodeAddress> addresses,
        String bootEnv,
        Optional<String> targetOs,
        boolean alive,
        boolean available,
        NodeState state,
        Instant createdAt,
        Instant updatedAt,
        List<HostKey> hostKeys,
        Optional<HostKeyMismatch> hostKeyMismatch) {

    public Node {
        macs = List.copyOf(macs);
        addresses = List.copyOf(addresses);
        hostKeys = List.copyOf(hostKeys);
    }

    /** A node without pinned host keys. */
    public Node(
            long id,
            String name,
            List<MacAddress> macs,
            List<NodeAddress> addresses,
            String bootEnv,
            Optional<String> targetOs,
            boolean alive,
            boolean available,
            NodeState state,
            Instant createdAt,
            Instant updatedAt) {
        this(
                id,
                name,
                macs,
                addresses,
                bootEnv,
                targetOs,
                alive,
                available,
                state,
                createdAt,
                updatedAt,
                List.of(),
                Optional.empty());
    }

    public Optional<NodeAddress> addressOn(String network) {
        return addresses.stream().filter(a -> a.network().equals(network)).findFirst();
    }
}
