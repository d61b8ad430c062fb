package dev.anvil.core.power;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a BMC's password is, in place of the password: it is sealed at rest under the key {@code keyId} (the first
 * bytes of the key's SHA-256, so a rotated key is told apart), set at {@code setAt}. Safe to log and to answer.
 */
public record SecretRef(String keyId, Instant setAt) {
    public SecretRef {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(setAt, "setAt");
    }
}
