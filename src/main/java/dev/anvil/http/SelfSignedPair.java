package dev.anvil.http;

import dev.anvil.config.TlsConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener's self-signed key and certificate, made on the first start with the JDK's {@code keytool}
 * into {@code <stateDir>/tls/} ({@code admin.p12} 0600, its random password in {@code admin.p12.pass} 0600,
 * the certificate as PEM in {@code admin.crt} for clients) and reused until it nears its end or the names
 * change. Split from {@link Tls}, which loads and serves it.
 *
 * <p>Size: just over 300 lines, most of them the checks on reuse (expiry, names, permissions) and their
 * messages.
 */
public final class SelfSignedPair {
    private static final Logger log = LoggerFactory.getLogger(SelfSignedPair.class);

    /** Directory under the state directory holding the self-signed pair. */
    public static final String DIR = "tls";

    public static final String P12 = "admin.p12";
    public static final String PASSWORD = "admin.p12.pass";
    public static final String CERTIFICATE = "admin.crt";

    /** Validity of a self-signed certificate: 825 days, the longest clients such as Apple's accept. */
    public static final int VALIDITY_DAYS = 825;
    /** A self-signed certificate this close to its end is made anew at start. */
    public static final Duration RENEW_BEFORE = Duration.ofDays(30);

    static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);

    private SelfSignedPair() {}

    /** Where the self-signed certificate is exported as PEM, for clients to trust. */
    public static Path selfSignedCertificate(Path stateDir) {
        return stateDir.resolve(DIR).resolve(CERTIFICATE);
    }

    /**
     * Makes the self-signed pair on the first call, reuses it later (unless it is about to expire or the names
     * changed), exports the certificate as PEM and logs where it is and its fingerprint.
     */
    public static synchronized Tls.Identity selfSigned(TlsConfig.SelfSigned cfg, Path stateDir) {
        Path dir = stateDir.resolve(DIR);
        Path p12 = dir.resolve(P12);
        Path pass = dir.resolve(PASSWORD);
        List<String> names = cfg.names().isEmpty() ? defaultNames() : cfg.names();
        Tls.Identity id = null;
        if (Files.exists(p12)) {
            try {
                id = Tls.pkcs12(p12, Tls.readPassword(pass));
            } catch (IllegalStateException e) {
                throw new IllegalStateException(
                        e.getMessage() + " (the self-signed admin TLS pair; delete " + p12 + " to have a new one made)",
                        e);
            }
            String stale = stale(id.certificate(), names);
            if (stale != null) {
                log.warn(
                        "making a new self-signed admin TLS certificate in {}: {}; clients must trust the new {}",
                        p12,
                        stale,
                        dir.resolve(CERTIFICATE));
                id = null;
            }
        }
        boolean made = id == null;
        if (made) {
            generate(dir, names);
            id = Tls.pkcs12(p12, Tls.readPassword(pass));
        }
        Path crt = dir.resolve(CERTIFICATE);
        exportPem(id.certificate(), crt);
        log.info(
                "{} self-signed admin TLS certificate {} for {}: SHA-256 {}, valid until {}; clients trust it with "
                        + "curl --cacert {}",
                made ? "made a" : "using the",
                p12,
                String.join(", ", names),
                id.fingerprint(),
                id.certificate().getNotAfter().toInstant(),
                crt);
        return id;
    }

    /** {@code localhost}, {@code 127.0.0.1} and this machine's host name (when it is a valid DNS name). */
    public static List<String> defaultNames() {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
        String host = hostName();
        if (host != null && TlsConfig.isSubjectName(host)) {
            names.add(host.toLowerCase(Locale.ROOT));
        }
        return List.copyOf(names);
    }

    private static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII)
                    .strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the JDK
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            log.info("no host name for the self-signed certificate ({}): localhost and 127.0.0.1 only", e.toString());
            return null;
        }
    }

    /** Why an existing self-signed certificate must be made anew, or null when it serves. */
    static String stale(X509Certificate c, List<String> names) {
        Instant end = c.getNotAfter().toInstant();
        if (end.isBefore(Instant.now().plus(RENEW_BEFORE))) {
            return "it " + (end.isBefore(Instant.now()) ? "expired" : "expires") + " on " + end;
        }
        Set<String> want = new java.util.TreeSet<>();
        names.forEach(n -> want.add(canonicalName(n)));
        Set<String> have = new java.util.TreeSet<>();
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && san.get(1) instanceof String v) {
                        have.add(canonicalName(v));
                    }
                }
            }
        } catch (CertificateException e) {
            return "its names cannot be read (" + e.getMessage() + ")";
        }
        return have.equals(want) ? null : "its names " + have + " are not the configured " + want;
    }

    private static String canonicalName(String n) {
        if (TlsConfig.isIpLiteral(n)) {
            try {
                return java.net.InetAddress.getByName(n).getHostAddress();
            } catch (IOException e) {
                return n;
            }
        }
        return n.toLowerCase(Locale.ROOT);
    }

    /**
     * Runs {@code keytool -genkeypair} (EC P-256, SHA256withECDSA, {@link #VALIDITY_DAYS} days) into a private
     * temporary directory, then moves the password file and the keystore into {@code dir}, each 0600. The
     * password reaches keytool through {@code -storepass:file}, never on its command line.
     */
    static void generate(Path dir, List<String> names) {
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempDirectory(
                    dir, ".new-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path pass = Files.createFile(
                    tmp.resolve(PASSWORD),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Files.writeString(
                    pass,
                    Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n",
                    StandardCharsets.US_ASCII);
            Path p12 = tmp.resolve(P12);
            String san = String.join(
                    ",",
                    names.stream()
                            .map(n -> (TlsConfig.isIpLiteral(n) ? "ip:" : "dns:") + n)
                            .toList());
            String cn = names.stream()
                    .filter(n -> !TlsConfig.isIpLiteral(n))
                    .findFirst()
                    .orElse("anvil");
            List<String> cmd = List.of(
                    keytool().toString(),
                    "-genkeypair",
                    "-alias",
                    "admin",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-sigalg",
                    "SHA256withECDSA",
                    "-validity",
                    Integer.toString(VALIDITY_DAYS),
                    "-dname",
                    "CN=" + cn + ", O=Anvil admin API",
                    "-ext",
                    "SAN=" + san,
                    "-ext",
                    "EKU=serverAuth",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    p12.toString(),
                    "-storepass:file",
                    pass.toString(),
                    "-noprompt");
            run(cmd, tmp.resolve("keytool.out"), KEYTOOL_TIMEOUT);
            Files.setPosixFilePermissions(p12, PosixFilePermissions.fromString("rw-------"));
            Files.move(
                    pass, dir.resolve(PASSWORD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.move(p12, dir.resolve(P12), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot make the self-signed admin TLS pair in " + dir + ": " + Tls.reason(e), e);
        } finally {
            deleteTree(tmp);
        }
    }

    private static Path keytool() {
        Path k = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(k)) {
            throw new IllegalStateException(
                    "cannot make the self-signed admin TLS pair: " + k + " is missing (this Java "
                            + "runtime has no keytool); configure certificate + privateKey or pkcs12 instead");
        }
        return k;
    }

    /** Runs a command with no input, its output into {@code out}, for at most {@code timeout}. */
    private static void run(List<String> cmd, Path out, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        boolean done;
        try {
            done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
        if (!done) {
            p.destroyForcibly();
            throw new IOException("keytool did not finish within " + timeout.toSeconds() + " s");
        }
        if (p.exitValue() != 0) {
            String text = Files.readString(out, StandardCharsets.UTF_8).strip();
            throw new IOException("keytool failed (exit " + p.exitValue() + "): "
                    + (text.length() > 2000 ? text.substring(0, 2000) + "..." : text));
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            // nothing left to do
        } catch (IOException e) {
            log.warn("cannot remove the temporary directory {}: {}", dir, e.toString());
        }
    }

    /** Writes the certificate as PEM (0644) unless the file already holds exactly that; atomically. */
    static void exportPem(X509Certificate c, Path file) {
        String pem;
        try {
            pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the certificate for " + file, e);
        }
        try {
            if (Files.isRegularFile(file)
                    && Files.readString(file, StandardCharsets.US_ASCII).equals(pem)) {
                return;
            }
            Path tmp = Files.createTempFile(
                    file.getParent(),
                    ".crt-",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            try {
                Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the certificate " + file + ": " + Tls.reason(e), e);
        }
    }
}
