package dev.anvil.core.power;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * BMC settings as an operator sends them (null: the default, or for the password: keep the stored one), checked
 * field by field: {@link #validate} names every field at fault. The password is shown as {@code ***} by {@link
 * #toString}.
 */
public record BmcDraft(
        String driver,
        String address,
        Integer port,
        String user,
        String password,
        String privilege,
        Integer cipherSuite,
        Boolean verifyTls,
        Boolean uefi,
        String system,
        String certificateSha256) {
    /** A host name (RFC 1123 labels) or an IPv4 or IPv6 literal; never an option-like leading dash. */
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.:-]{0,252})");

    /** The same settings with another address (adoption of the one the discovery image reported). */
    public BmcDraft withAddress(String newAddress) {
        return new BmcDraft(
                driver,
                newAddress,
                port,
                user,
                password,
                privilege,
                cipherSuite,
                verifyTls,
                uefi,
                system,
                certificateSha256);
    }

    /** Printable ASCII, no space: what BMCs accept as a user name. */
    private static final Pattern USER = Pattern.compile("[\\x21-\\x7e]+");

    /** A Redfish resource path under the service root: URI path characters only, no query, no dot segments. */
    private static final Pattern SYSTEM = Pattern.compile("/redfish/v1/[A-Za-z0-9._~%!$&'()*+,;=:@/-]{1,200}");

    private static final Pattern DOT_SEGMENT = Pattern.compile("/\\.\\.?(/|$)");

    /** A SHA-256 in hex, bytes optionally separated by colons (as {@code openssl x509 -fingerprint} prints it). */
    private static final Pattern SHA256 = Pattern.compile("[0-9A-Fa-f]{64}|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31}");

    /** The settings checked: the {@link Bmc} without its secret reference, and the new password if one was sent. */
    public record Checked(
            String driver,
            String address,
            int port,
            String user,
            Optional<Secret> password,
            Privilege privilege,
            int cipherSuite,
            boolean verifyTls,
            boolean uefi,
            Optional<String> system,
            Optional<String> certificateSha256) {
        public Bmc withSecret(SecretRef ref) {
            return new Bmc(
                    driver,
                    address,
                    port,
                    user,
                    privilege,
                    cipherSuite,
                    verifyTls,
                    uefi,
                    system,
                    certificateSha256,
                    ref);
        }
    }

    /** The checked settings; an {@link InvalidInputException} naming every field at fault otherwise. */
    public Checked validate() {
        List<Violation> v = new ArrayList<>();
        String d = driver == null ? Bmc.IPMI : driver;
        if (!Bmc.DRIVERS.contains(d)) {
            v.add(new Violation("driver", "\"" + d + "\" is not a driver (one of " + Bmc.DRIVERS + ")"));
        }
        boolean redfish = d.equals(Bmc.REDFISH);
        int maxUser = redfish ? Bmc.MAX_REDFISH_USER : Bmc.MAX_USER;
        int maxPassword = redfish ? Bmc.MAX_REDFISH_PASSWORD : Bmc.MAX_PASSWORD;
        if (address == null || address.isEmpty()) {
            v.add(new Violation("address", "required"));
        } else if (!ADDRESS.matcher(address).matches() || address.contains("..")) {
            v.add(new Violation("address", "not a host name or IP address"));
        }
        int p = port == null ? (redfish ? Bmc.REDFISH_PORT : Bmc.IPMI_PORT) : port;
        if (p < 1 || p > 65535) {
            v.add(new Violation("port", "must be 1 to 65535"));
        }
        if (user == null || user.isEmpty()) {
            v.add(new Violation("user", "required"));
        } else if (user.length() > maxUser || !USER.matcher(user).matches()) {
            v.add(new Violation("user", "1 to " + maxUser + " printable ASCII characters, no space"));
        } else if (redfish && user.indexOf(':') >= 0) {
            v.add(new Violation("user", "no colon (HTTP Basic authentication cannot carry it)"));
        }
        if (password != null
                && (password.isEmpty()
                        || password.length() > maxPassword
                        || password.chars().anyMatch(c -> c < 0x20 || c > 0x7e))) {
            v.add(new Violation("password", "1 to " + maxPassword + " printable ASCII characters"));
        }
        Optional<Privilege> priv =
                privilege == null ? Optional.of(Privilege.ADMINISTRATOR) : Privilege.parse(privilege);
        if (priv.isEmpty()) {
            v.add(new Violation("privilege", "one of user, operator, administrator"));
        }
        int cs = cipherSuite == null ? Bmc.DEFAULT_CIPHER_SUITE : cipherSuite;
        if (cs < 0 || cs > 17) {
            v.add(new Violation("cipherSuite", "an IPMI 2.0 cipher suite ID, 0 to 17"));
        }
        if (system != null && !redfish) {
            v.add(new Violation("system", "only for the redfish driver"));
        } else if (system != null
                && (!SYSTEM.matcher(system).matches()
                        || DOT_SEGMENT.matcher(system).find())) {
            v.add(new Violation("system", "a path under /redfish/v1/, e.g. /redfish/v1/Systems/1"));
        }
        if (certificateSha256 != null && !redfish) {
            v.add(new Violation("certificateSha256", "only for the redfish driver"));
        } else if (certificateSha256 != null
                && !SHA256.matcher(certificateSha256).matches()) {
            v.add(new Violation("certificateSha256", "a SHA-256 in hex: 64 digits, or 32 pairs with colons"));
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new Checked(
                d,
                address,
                p,
                user,
                Optional.ofNullable(password).map(Secret::new),
                priv.get(),
                cs,
                verifyTls == null || verifyTls,
                uefi == null || uefi,
                Optional.ofNullable(system),
                Optional.ofNullable(certificateSha256)
                        .map(h -> h.replace(":", "").toLowerCase(Locale.ROOT)));
    }

    @Override
    public String toString() {
        return "BmcDraft[driver=" + driver + ", address=" + address + ", port=" + port + ", user=" + user
                + ", password=" + (password == null ? "unchanged" : "***") + ", privilege=" + privilege
                + ", cipherSuite=" + cipherSuite + ", verifyTls=" + verifyTls + ", uefi=" + uefi + ", system=" + system
                + ", certificateSha256=" + certificateSha256 + "]";
    }
}
