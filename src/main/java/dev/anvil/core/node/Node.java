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

    /**
     * Whether the node holds its derived IPv6 address (the network's /64 + md5 of its name) on {@code network}: it
     * has an address there, or it has none on any network. The latter is a machine discovery registered and nobody
     * admitted yet: in IPv4 it lives on the dynamic pool of whatever network it boots on, in IPv6 it takes its
     * derived address on that network's link (DHCPv6 gives it, the discovery image takes it after registering).
     */
    public boolean holdsIpv6On(String network) {
        return addresses.isEmpty() || addressOn(network).isPresent();
    }
}
