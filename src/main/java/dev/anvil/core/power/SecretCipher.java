package dev.anvil.core.power;

/**
 * Seals secrets at rest (AES-GCM under a key kept outside the database, {@code dev.anvil.auth.SecretBox}). The
 * {@code context} is authenticated with the value (the node it belongs to), so a sealed value moved to another row
 * does not open.
 */
public interface SecretCipher {
    /** The key's short identity, for {@link SecretRef#keyId()}. */
    String keyId();

    byte[] seal(Secret secret, String context);

    /** The secret; an {@link IllegalStateException} for a value that was tampered with or sealed elsewhere. */
    Secret open(byte[] sealed, String context);
}
