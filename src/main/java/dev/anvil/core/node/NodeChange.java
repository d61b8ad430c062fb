package dev.anvil.core.node;

import java.util.List;
import java.util.Optional;

/** A validated partial update: each present field replaces the node's value. */
public record NodeChange(
        Optional<String> name,
        Optional<List<MacAddress>> macs,
        Optional<String> bootEnv,
        Optional<Optional<String>> targetOs,
        Optional<Boolean> available,
        Optional<Boolean> alive,
        Optional<NodeState> state,
        Optional<List<HostKey>> hostKeys,
        Optional<Optional<HostKeyMismatch>> hostKeyMismatch,
        Optional<String> reserveOn) {

    /** A change that leaves the host keys and their mismatch flag alone. */
    public NodeChange(
            Optional<String> name,
            Optional<List<MacAddress>> macs,
            Optional<String> bootEnv,
            Optional<Optional<String>> targetOs,
            Optional<Boolean> available,
            Optional<Boolean> alive,
            Optional<NodeState> state) {
        this(
                name,
                macs,
                bootEnv,
                targetOs,
                available,
                alive,
                state,
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    public static NodeChange none() {
        return new NodeChange(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    public NodeChange withBootEnv(String env) {
        return new NodeChange(
                name, macs, Optional.of(env), targetOs, available, alive, state, hostKeys, hostKeyMismatch, reserveOn);
    }

    public NodeChange withMacs(List<MacAddress> m) {
        return new NodeChange(
                name, Optional.of(m), bootEnv, targetOs, available, alive, state, hostKeys, hostKeyMismatch, reserveOn);
    }

    public NodeChange withTargetOs(Optional<String> os) {
        return new NodeChange(
                name, macs, bootEnv, Optional.of(os), available, alive, state, hostKeys, hostKeyMismatch, reserveOn);
    }

    public NodeChange withAlive(boolean a) {
        return new NodeChange(
                name, macs, bootEnv, targetOs, available, Optional.of(a), state, hostKeys, hostKeyMismatch, reserveOn);
    }

    public NodeChange withState(NodeState s) {
        return new NodeChange(
                name, macs, bootEnv, targetOs, available, alive, Optional.of(s), hostKeys, hostKeyMismatch, reserveOn);
    }

    /** Replaces the pinned host keys (an empty list: none pinned); the mismatch flag goes with them. */
    public NodeChange withHostKeys(List<HostKey> keys) {
        return new NodeChange(
                name,
                macs,
                bootEnv,
                targetOs,
                available,
                alive,
                state,
                Optional.of(List.copyOf(keys)),
                Optional.of(Optional.empty()),
                reserveOn);
    }

    public NodeChange withHostKeyMismatch(Optional<HostKeyMismatch> m) {
        return new NodeChange(
                name, macs, bootEnv, targetOs, available, alive, state, hostKeys, Optional.of(m), reserveOn);
    }

    /**
     * Reserves an address on the network (the lowest free one of its static range) unless the node holds one
     * there: a discovered machine lives on the dynamic pool until it is admitted, then gets its reservation.
     */
    public NodeChange withReservationOn(String network) {
        return new NodeChange(
                name,
                macs,
                bootEnv,
                targetOs,
                available,
                alive,
                state,
                hostKeys,
                hostKeyMismatch,
                Optional.of(network));
    }

    public boolean isEmpty() {
        return name.isEmpty()
                && macs.isEmpty()
                && bootEnv.isEmpty()
                && targetOs.isEmpty()
                && available.isEmpty()
                && alive.isEmpty()
                && state.isEmpty()
                && hostKeys.isEmpty()
                && hostKeyMismatch.isEmpty()
                && reserveOn.isEmpty();
    }
}
