package dev.anvil.store;

import java.time.Instant;
import java.util.Optional;

/** The armed install token of each node: a nonce and when it expires (at most one per node). */
public interface InstallTokenStore {
    record Armed(String nonce, Instant expiresAt) {}

    Optional<Armed> get(long nodeId);

    /** Replaces any earlier nonce of the node. */
    void put(long nodeId, Armed armed);

    /** Removes the nonce if it is still the given one; true for exactly one caller (single use). */
    boolean consume(long nodeId, String nonce);
}
