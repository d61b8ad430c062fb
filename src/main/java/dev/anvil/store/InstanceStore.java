package dev.anvil.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The anvild instances sharing a store, each with its last heartbeat (doc/scale-out.md). An instance whose
 * heartbeat is older than the takeover timeout is dead to its peers: they take over its running node tasks.
 */
public interface InstanceStore {
    /** An instance: when it (last) started and when it last said it was alive. */
    record Instance(String id, Instant startedAt, Instant heartbeatAt) {}

    /** Records that instance {@code id} starts at {@code now}; returns its row as it was before, if any. */
    Optional<Instance> register(String id, Instant now);

    /** Records that instance {@code id} is alive at {@code now} (registers it again if its row went away). */
    void beat(String id, Instant now);

    /** Every instance, by id. */
    List<Instance> list();

    /** Forgets instance {@code id} (a clean stop). */
    void remove(String id);
}
