package dev.anvil.config;

/**
 * Limits on discovery registration ({@code POST /api/v1/discover} on the boot listener), which anything on the
 * boot network can call.
 *
 * @param perSourcePerMinute registrations one source address may make per minute (a burst of as many)
 * @param perMacPerMinute registrations naming one MAC per minute
 * @param maxPending machines registered but never admitted (discovering or discovered, no reserved address)
 *     beyond which new machines are refused until an operator admits or deletes some
 */
public record DiscoveryConfig(int perSourcePerMinute, int perMacPerMinute, int maxPending) {
    public static DiscoveryConfig defaults() {
        return new DiscoveryConfig(60, 6, 1000);
    }
}
