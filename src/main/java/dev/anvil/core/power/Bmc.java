package dev.anvil.core.power;

import java.util.Objects;
import java.util.Set;

/**
 * A node's BMC settings, as stored with the node and answered by the API: never the password, only the {@link
 * SecretRef} to where it is sealed. Built from a validated {@link BmcDraft}.
 *
 * @param driver the {@link PowerDriver#name()} ({@code ipmi})
 * @param address the BMC's host name or IP address
 * @param port its UDP (IPMI, 623) or TCP (Redfish, 443) port
 * @param user the BMC user
 * @param privilege the IPMI privilege level asked for
 * @param cipherSuite the IPMI 2.0 cipher suite ID ({@code ipmitool -C}; 3 is the common one, 17 the newer)
 * @param verifyTls verify the BMC's TLS certificate (Redfish; kept for it)
 * @param uefi the machine boots UEFI: a boot override says so ({@code options=efiboot})
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
        SecretRef secret) {
    /** The drivers a BMC may name. */
    public static final Set<String> DRIVERS = Set.of("ipmi");

    public static final int IPMI_PORT = 623;
    public static final int DEFAULT_CIPHER_SUITE = 3;
    /** IPMI 2.0 user names are at most 16 bytes, passwords at most 20. */
    public static final int MAX_USER = 16;

    public static final int MAX_PASSWORD = 20;

    public Bmc {
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(privilege, "privilege");
        Objects.requireNonNull(secret, "secret");
    }

    /** {@code address:port}, for messages and logs. */
    public String endpoint() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
