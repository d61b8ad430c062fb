package dev.anvil.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * TLS for a listener (the admin API), on when its section is present. Where the key and certificate come
 * from is exactly one {@link Source}: PEM files, a PKCS#12 file, or a self-signed pair Anvil makes in its
 * state directory on the first start and reuses afterwards. Protocols and cipher suites are fixed (TLS 1.3
 * and 1.2, AEAD suites only): there is nothing to weaken.
 */
public record TlsConfig(Source source) {

    public TlsConfig {
        java.util.Objects.requireNonNull(source, "source");
    }

    /** Where the key and certificate come from. */
    public sealed interface Source permits Pem, Pkcs12, SelfSigned {}

    /**
     * @param certificate PEM file holding the certificate chain, the server's own certificate first
     * @param privateKey PEM file holding the unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY})
     */
    public record Pem(Path certificate, Path privateKey) implements Source {}

    /**
     * @param file the PKCS#12 keystore; its one private-key entry (with its chain) is used
     * @param password the store password as written in the config, if given
     * @param passwordFile a file whose first line is the store password, if given (never both)
     */
    public record Pkcs12(Path file, Optional<String> password, Optional<Path> passwordFile) implements Source {
        /** Never prints the password. */
        @Override
        public String toString() {
            return "Pkcs12[file=" + file + ", password=" + (password.isPresent() ? "(set)" : "(none)")
                    + ", passwordFile=" + passwordFile.map(Path::toString).orElse("(none)") + "]";
        }
    }

    /**
     * A pair generated into {@code <stateDir>/tls/}.
     *
     * @param names the subject alternative names (DNS names and IP addresses); empty: the defaults, {@code
     *     localhost}, {@code 127.0.0.1} and the machine's host name
     */
    public record SelfSigned(List<String> names) implements Source {
        public SelfSigned {
            names = List.copyOf(names);
        }
    }

    private static final java.util.regex.Pattern DNS = java.util.regex.Pattern.compile(
            "(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

    /** Whether {@code s} can be a subject alternative name: an IPv4 or IPv6 literal, or a DNS name. */
    public static boolean isSubjectName(String s) {
        if (s == null || s.isEmpty() || s.length() > 253) {
            return false;
        }
        return isIpLiteral(s) || (DNS.matcher(s).matches() && !s.matches("[0-9.]+"));
    }

    /** An IPv4 dotted quad or an IPv6 literal (parsed without any name lookup). */
    public static boolean isIpLiteral(String s) {
        if (IPV4.matcher(s).matches()) {
            return true;
        }
        if (s.indexOf(':') < 0 || !s.matches("[0-9A-Fa-f:][0-9A-Fa-f:.]*")) {
            return false;
        }
        try {
            // A string holding ':' is only ever parsed as an IPv6 literal, never looked up.
            return java.net.InetAddress.getByName(s) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public static TlsConfig pem(Path certificate, Path privateKey) {
        return new TlsConfig(new Pem(certificate, privateKey));
    }

    public static TlsConfig selfSigned() {
        return new TlsConfig(new SelfSigned(List.of()));
    }
}
