package dev.anvil.core.node;

import java.time.Instant;
import java.util.Optional;

/**
 * A node's SSH server presented a host key that is not one of the keys its installed system reported: the
 * login was refused. {@code type} is the presented key's type (or, when the server offered no key of a
 * pinned type at all, the types it offered, and no fingerprint); {@code at} when it was first seen.
 */
public record HostKeyMismatch(String type, Optional<String> fingerprint, Instant at) {
    /** For logs, history and task logs. */
    public String describe() {
        return fingerprint.map(f -> "presented " + type + " key " + f).orElse("offered only host key types " + type);
    }

    /** The same key (or offer) as {@code other}, whenever seen. */
    public boolean sameAs(HostKeyMismatch other) {
        return type.equals(other.type) && fingerprint.equals(other.fingerprint);
    }
}
