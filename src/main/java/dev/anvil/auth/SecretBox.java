package dev.anvil.auth;

import dev.anvil.core.power.Secret;
import dev.anvil.core.power.SecretCipher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets sealed at rest (BMC passwords): AES-256-GCM under a key kept outside the database, in {@code
 * <stateDir>/bmc-secret.key} (hex, mode 0600, made on first use; a file readable by others is refused, so the
 * daemon does not start with a leaked key). A sealed value is {@code version(1) nonce(12) ciphertext+tag(16)},
 * with a random nonce per value; the context (the node) is authenticated with it, so a value copied to another
 * node's row, or changed by one bit, does not open.
 */
public final class SecretBox implements SecretCipher {
    public static final String FILE = "bmc-secret.key";

    private static final byte VERSION = 1;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final String keyId;
    private final SecureRandom random;

    SecretBox(byte[] key, SecureRandom random) {
        if (key.length != 32) {
            throw new IllegalStateException("a secret key is 32 bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
        this.random = random;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            this.keyId = HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }

    /** The box whose key is {@code <stateDir>/bmc-secret.key}, made (0600) when missing; refused when wider. */
    public static SecretBox open(Path stateDir, SecureRandom random) {
        String hex = SecretFiles.readOrCreate(stateDir.resolve(FILE), () -> {
            byte[] k = new byte[32];
            random.nextBytes(k);
            return HexFormat.of().formatHex(k);
        });
        try {
            return new SecretBox(HexFormat.of().parseHex(hex), random);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(stateDir.resolve(FILE) + " does not hold a 32-byte hex key", e);
        }
    }

    @Override
    public String keyId() {
        return keyId;
    }

    @Override
    public byte[] seal(Secret secret, String context) {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            Cipher c = cipher(Cipher.ENCRYPT_MODE, nonce, context);
            byte[] ct = c.doFinal(secret.utf8());
            return ByteBuffer.allocate(1 + NONCE + ct.length)
                    .put(VERSION)
                    .put(nonce)
                    .put(ct)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret: " + e.getMessage(), e);
        }
    }

    @Override
    public Secret open(byte[] sealed, String context) {
        if (sealed.length < 1 + NONCE + TAG_BITS / 8 || sealed[0] != VERSION) {
            throw new IllegalStateException("not a sealed secret (version or length)");
        }
        byte[] nonce = java.util.Arrays.copyOfRange(sealed, 1, 1 + NONCE);
        try {
            Cipher c = cipher(Cipher.DECRYPT_MODE, nonce, context);
            return Secret.ofUtf8(c.doFinal(sealed, 1 + NONCE, sealed.length - 1 - NONCE));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "a sealed secret does not open with key " + keyId + " (tampered, or sealed under another key)", e);
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String context) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        return c;
    }
}
