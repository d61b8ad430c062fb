package dev.anvil.api;

import dev.anvil.core.power.Bmc;

/**
 * A node's BMC as the API answers it: the settings, and of the password only when it was set and under which
 * key (never the password, sealed or not). {@code system} and {@code certificateSha256} are null when not set.
 */
public record BmcJson(
        String node,
        String driver,
        String address,
        int port,
        String user,
        String privilege,
        int cipherSuite,
        boolean verifyTls,
        boolean uefi,
        String system,
        String certificateSha256,
        String passwordSetAt,
        String passwordKeyId) {
    static BmcJson of(String node, Bmc b) {
        return new BmcJson(
                node,
                b.driver(),
                b.address(),
                b.port(),
                b.user(),
                b.privilege().wireName(),
                b.cipherSuite(),
                b.verifyTls(),
                b.uefi(),
                b.system().orElse(null),
                b.certificateSha256().orElse(null),
                b.secret().setAt().toString(),
                b.secret().keyId());
    }
}
