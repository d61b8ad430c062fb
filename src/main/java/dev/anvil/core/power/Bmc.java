package dev.anvil.core.power;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A node's BMC settings, as stored with the node and answered by the API: never the password, only the {@link
 * SecretRef} to where it is sealed. Built from a validated {@link BmcDraft}.
 *
 * @param driver the {@link PowerDriver#name()} ({@code ipmi}, {@code redfish})
 * @param address the BMC's host name or IP address
 * @param port its UDP (IPMI, 623) or TCP (Redfish, 443) port
 * @param user the BMC user
 * @param privilege the IPMI privilege level asked for
 * @param cipherSuite the IPMI 2.0 cipher suite ID ({@code ipmitool -C}; 3 is the common one, 17 the newer)
 * @param verifyTls verify the BMC's TLS certificate against the JDK's trust store and its name (Redfish); false
 *     accepts any certificate (doc/security.md)
 * @param uefi the machine boots UEFI: a boot override says so ({@code options=efiboot}, {@code
 *     BootSourceOverrideMode UEFI})
 * @param system the Redfish {@code ComputerSystem} path ({@code /redfish/v1/Systems/1}); empty: the first member of
 *     the service root's {@code Systems}
 * @param certificateSha256 the SHA-256 of the BMC's TLS certificate (64 lower-case hex digits): that certificate
 *     and no other is accepted, in place of {@link #verifyTls} (Redfish)
 * @param secret where the password is sealed
 */
public record Bmc(
        String driver,
        String address,
        int port,
        String user,
        Privilege privilege,
        int cipherSuite,
        boolean verifyTls,
        boolean uefi,
        Optional<String> system,
        Optional<String> certificateSha256,
        SecretRef secret) {
    public static final String IPMI = "ipmi";
    public static final String REDFISH = "redfish";

    /** The drivers a BMC may name. */
    public static final Set<String> DRIVERS = Set.of(IPMI, REDFISH);

    public static final int IPMI_PORT = 623;
    public static final int REDFISH_PORT = 443;
    /** Redfish (HTTP Basic) limits: ours, generous for any BMC account. */
    public static final int MAX_REDFISH_USER = 64;

    public static final int MAX_REDFISH_PASSWORD = 128;
    public static final int DEFAULT_CIPHER_SUITE = 3;
    /** IPMI 2.0 user names are at most 16 bytes, passwords at most 20. */
    public static final int MAX_USER = 16;

    public static final int MAX_PASSWORD = 20;

    public Bmc {
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(privilege, "privilege");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(certificateSha256, "certificateSha256");
        Objects.requireNonNull(secret, "secret");
    }

    /** {@code address:port}, for messages and logs. */
    public String endpoint() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
