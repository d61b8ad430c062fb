package dev.anvil.core.power;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.util.ArrayList;
import java.util.List;
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
        Boolean uefi) {
    /** A host name (RFC 1123 labels) or an IPv4 or IPv6 literal; never an option-like leading dash. */
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.:-]{0,252})");

    /** Printable ASCII, no space: what BMCs accept as a user name. */
    private static final Pattern USER = Pattern.compile("[\\x21-\\x7e]+");

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
            boolean uefi) {
        public Bmc withSecret(SecretRef ref) {
            return new Bmc(driver, address, port, user, privilege, cipherSuite, verifyTls, uefi, ref);
        }
    }

    /** The checked settings; an {@link InvalidInputException} naming every field at fault otherwise. */
    public Checked validate() {
        List<Violation> v = new ArrayList<>();
        String d = driver == null ? "ipmi" : driver;
        if (!Bmc.DRIVERS.contains(d)) {
            v.add(new Violation("driver", "\"" + d + "\" is not a driver (one of " + Bmc.DRIVERS + ")"));
        }
        if (address == null || address.isEmpty()) {
            v.add(new Violation("address", "required"));
        } else if (!ADDRESS.matcher(address).matches() || address.contains("..")) {
            v.add(new Violation("address", "not a host name or IP address"));
        }
        int p = port == null ? Bmc.IPMI_PORT : port;
        if (p < 1 || p > 65535) {
            v.add(new Violation("port", "must be 1 to 65535"));
        }
        if (user == null || user.isEmpty()) {
            v.add(new Violation("user", "required"));
        } else if (user.length() > Bmc.MAX_USER || !USER.matcher(user).matches()) {
            v.add(new Violation("user", "1 to " + Bmc.MAX_USER + " printable ASCII characters, no space"));
        }
        if (password != null
                && (password.isEmpty()
                        || password.length() > Bmc.MAX_PASSWORD
                        || password.chars().anyMatch(c -> c < 0x20 || c > 0x7e))) {
            v.add(new Violation("password", "1 to " + Bmc.MAX_PASSWORD + " printable ASCII characters"));
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
                uefi == null || uefi);
    }

    @Override
    public String toString() {
        return "BmcDraft[driver=" + driver + ", address=" + address + ", port=" + port + ", user=" + user
                + ", password=" + (password == null ? "unchanged" : "***") + ", privilege=" + privilege
                + ", cipherSuite=" + cipherSuite + ", verifyTls=" + verifyTls + ", uefi=" + uefi + "]";
    }
}
