package dev.anvil.core.net;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * RFC 4193 unique local prefixes: {@code fd} (prefix fc00::/7 with the L bit set, RFC 4193 §3.1),
 * a 40-bit global ID drawn once per installation (§3.2), and a 16-bit subnet ID.
 */
public final class UlaPrefix {
    public static final long GLOBAL_ID_MASK = 0xff_ffff_ffffL;

    private UlaPrefix() {}

    /** Draws a 40-bit global ID; callers pass a {@link java.security.SecureRandom}. */
    public static long newGlobalId(RandomGenerator random) {
        return random.nextLong() & GLOBAL_ID_MASK;
    }

    /** The /64 for a subnet: fd + global ID + subnet ID. */
    public static Ipv6Prefix64 of(long globalId, int subnetId) {
        if ((globalId & ~GLOBAL_ID_MASK) != 0) {
            throw new IllegalArgumentException("global ID " + Long.toHexString(globalId) + " is wider than 40 bits");
        }
        if (subnetId < 0 || subnetId > 0xffff) {
            throw new IllegalArgumentException("subnet ID " + subnetId + " is outside 0..65535");
        }
        return new Ipv6Prefix64((0xfdL << 56) | (globalId << 16) | subnetId);
    }

    /** The global ID as the 10 hex digits it is stored as. */
    public static String formatGlobalId(long globalId) {
        return String.format("%010x", globalId);
    }

    public static long parseGlobalId(String hex) {
        if (hex == null || hex.length() != 10) {
            throw new IllegalArgumentException("ULA global ID must be 10 hex digits: " + hex);
        }
        return HexFormat.fromHexDigitsToLong(hex);
    }
}
