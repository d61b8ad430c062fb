package dev.anvil.core.node;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * One SSH host public key of a node, as the installed system reported it: its type and the key blob (the
 * base64 field of an OpenSSH {@code .pub} line). The blob's own embedded type string must be the type, so a
 * key cannot claim another type than it is. The comment of the line is not kept.
 */
public record HostKey(String type, String base64) {
    /** The key types an installed system's sshd has host keys of (not DSA, gone from OpenSSH). */
    public static final List<String> TYPES =
            List.of("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa");
    /** At most this many keys per node. */
    public static final int MAX_KEYS = 8;
    /** At most this many characters per key line (an RSA 16384-bit key is about 2.8 KiB). */
    public static final int MAX_LINE = 16 * 1024;

    public HostKey {
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException(
                    "unknown key type \"" + cut(type) + "\" (known: " + String.join(", ", TYPES) + ")");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key is not base64: " + e.getMessage());
        }
        String embedded = embeddedType(blob);
        if (!type.equals(embedded)) {
            throw new IllegalArgumentException("the key says it is " + type + " but its data is "
                    + (embedded == null ? "not an SSH public key" : "a " + cut(embedded) + " key"));
        }
    }

    /** Parses an OpenSSH public key line: {@code type base64 [comment]}. */
    public static HostKey parse(String line) {
        if (line.length() > MAX_LINE) {
            throw new IllegalArgumentException("longer than " + MAX_LINE + " characters");
        }
        String[] f = line.strip().split("[ \t]+", 3);
        if (f.length < 2) {
            throw new IllegalArgumentException("not an OpenSSH public key line (\"type base64 [comment]\")");
        }
        return new HostKey(f[0], f[1]);
    }

    /** The key a server presented (the SSH wire blob), whatever its type. */
    public static String fingerprint(byte[] blob) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The type string a key blob starts with, or null when the blob is not an SSH public key. */
    public static String embeddedType(byte[] blob) {
        if (blob.length < 4) {
            return null;
        }
        int n = ByteBuffer.wrap(blob).getInt();
        if (n <= 0 || n > 64 || n > blob.length - 4) {
            return null;
        }
        return new String(blob, 4, n, StandardCharsets.US_ASCII);
    }

    public byte[] blob() {
        return Base64.getDecoder().decode(base64);
    }

    /** OpenSSH style: {@code SHA256:} and the unpadded base64 of the blob's SHA-256 ({@code ssh-keygen -lf}). */
    public String fingerprint() {
        return fingerprint(blob());
    }

    /** Whether {@code presented} (a wire blob) is this key. */
    public boolean matches(byte[] presented) {
        return Arrays.equals(blob(), presented);
    }

    /** {@code type fingerprint} of each key, comma separated; "none" for no keys. */
    public static String summary(List<HostKey> keys) {
        return keys.isEmpty()
                ? "none"
                : String.join(
                        ", ",
                        keys.stream().map(k -> k.type() + " " + k.fingerprint()).toList());
    }

    /** The line without a comment: {@code type base64}. */
    public String line() {
        return type + " " + base64;
    }

    private static String cut(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
