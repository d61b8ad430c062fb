package dev.anvil.core.net;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/** A node's IPv6 interface identifier: the last 64 bits of md5(lowercase FQDN without trailing dot, UTF-8). */
public final class InterfaceId {
    private InterfaceId() {}

    public static long of(String fqdn) {
        String name = fqdn.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("MD5").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
        long id = 0;
        for (int i = 8; i < 16; i++) {
            id = (id << 8) | (digest[i] & 0xff);
        }
        return id;
    }
}
