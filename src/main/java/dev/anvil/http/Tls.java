package dev.anvil.http;

import dev.anvil.config.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of TLS for the admin listener: a netty {@link SslContext} on the JDK's own TLS stack (no
 * OpenSSL), TLS 1.3 and 1.2 only, AEAD cipher suites with forward secrecy only, no client certificates, no
 * ALPN (HTTP/1.1).
 *
 * <p>The key and certificate come from PEM files, a PKCS#12 file, or a self-signed pair made on the first
 * start with the JDK's {@code keytool} into {@code <stateDir>/tls/}: {@code admin.p12} (0600), its random
 * password in {@code admin.p12.pass} (0600) and the certificate as PEM in {@code admin.crt}, for clients
 * ({@code curl --cacert <stateDir>/tls/admin.crt}). Later starts reuse the pair; it is made anew only when
 * it expires within {@link #RENEW_BEFORE} or the configured names changed.
 *
 * <p>The listener builds the context once, at start (a bad file fails the start with the file and the
 * reason), and puts a handler first in each connection's pipeline:
 *
 * <pre>{@code
 * SslContext tls = Tls.serverContext(apiConfig.tls().get(), stateDir);   // in start(), before bind
 * ...
 * protected void initChannel(SocketChannel ch) {
 *   ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()))           // first: bytes in are TLS records
 *       .addLast(new HttpServerCodec())
 *       ...
 * }
 * }</pre>
 */
public final class Tls {
  private static final Logger log = LoggerFactory.getLogger(Tls.class);

  /** The only protocol versions offered. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** TLS 1.3 suites, then TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305: forward secret and AEAD only. */
  public static final List<String> CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

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

  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "EdDSA", "RSASSA-PSS");

  private Tls() {}

  /**
   * A private key and its certificate chain, the server's own certificate first.
   *
   * @param origin the file(s) it came from, for messages
   */
  public record Identity(PrivateKey key, List<X509Certificate> chain, String origin) {
    public Identity {
      chain = List.copyOf(chain);
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("an identity needs a certificate");
      }
    }

    public X509Certificate certificate() {
      return chain.get(0);
    }

    /** The certificate's SHA-256 fingerprint, as {@code openssl x509 -fingerprint -sha256} prints it. */
    public String fingerprint() {
      return Tls.fingerprint(certificate());
    }

    @Override
    public String toString() {
      return "Identity[" + certificate().getSubjectX500Principal() + " from " + origin + "]";
    }
  }

  /**
   * The server context for {@code cfg}: loads (or, for {@code selfSigned}, makes or reuses) the key and
   * certificate, checks that they belong together, and logs the certificate's fingerprint.
   *
   * @throws IllegalStateException naming the file and the reason, when a file is missing, unreadable, of the
   *     wrong kind, or the key does not match the certificate
   */
  public static SslContext serverContext(TlsConfig cfg, Path stateDir) {
    return serverContext(identity(cfg, stateDir));
  }

  /** The server context for a key and chain already loaded. */
  public static SslContext serverContext(Identity id) {
    try {
      return SslContextBuilder.forServer(id.key(), id.chain())
          .sslProvider(SslProvider.JDK)
          .protocols(PROTOCOLS)
          .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .clientAuth(ClientAuth.NONE)
          .build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalStateException("cannot set up TLS with " + id.origin() + ": " + e.getMessage(), e);
    }
  }

  /** The key and certificate {@code cfg} names; for {@code selfSigned}, made on the first call and reused. */
  public static Identity identity(TlsConfig cfg, Path stateDir) {
    TlsConfig.Source s = cfg.source();
    if (s instanceof TlsConfig.SelfSigned ss) {
      return selfSigned(ss, stateDir);
    }
    Identity id;
    if (s instanceof TlsConfig.Pem pem) {
      id = pem(pem.certificate(), pem.privateKey());
    } else if (s instanceof TlsConfig.Pkcs12 p) {
      char[] password = p.password().map(String::toCharArray)
          .orElseGet(() -> p.passwordFile().map(Tls::readPassword).orElse(new char[0]));
      id = pkcs12(p.file(), password);
    } else {
      throw new IllegalArgumentException("unknown TLS source " + s);
    }
    X509Certificate c = id.certificate();
    log.info("admin TLS certificate {} from {}: SHA-256 {}, valid until {}", c.getSubjectX500Principal(),
        id.origin(), id.fingerprint(), c.getNotAfter().toInstant());
    Instant end = c.getNotAfter().toInstant();
    if (end.isBefore(Instant.now().plus(RENEW_BEFORE))) {
      log.warn("the admin TLS certificate in {} {} on {}", id.origin(), end.isBefore(Instant.now()) ? "expired"
          : "expires", end);
    }
    return id;
  }

  /** Reads a PEM certificate chain and a PEM PKCS#8 private key, and checks that they belong together. */
  public static Identity pem(Path certificateFile, Path keyFile) {
    List<X509Certificate> chain = readCertificates(certificateFile);
    PrivateKey key = readPrivateKey(keyFile);
    checkPair(key, chain.get(0), "the private key " + keyFile + " does not match the certificate " + certificateFile);
    return new Identity(key, chain, certificateFile + " and " + keyFile);
  }

  /** Reads the one private-key entry of a PKCS#12 file, with its chain. */
  public static Identity pkcs12(Path file, char[] password) {
    KeyStore ks;
    try (InputStream in = Files.newInputStream(file)) {
      ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
    } catch (IOException e) {
      if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
        throw new IllegalStateException("cannot open the PKCS#12 file " + file + ": wrong password", e);
      }
      throw new IllegalStateException("cannot read the PKCS#12 file " + file + ": " + reason(e), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the PKCS#12 file " + file + ": " + e.getMessage(), e);
    }
    try {
      List<String> aliases = new ArrayList<>();
      for (String a : Collections.list(ks.aliases())) {
        if (ks.isKeyEntry(a)) {
          aliases.add(a);
        }
      }
      if (aliases.size() != 1) {
        throw new IllegalStateException("the PKCS#12 file " + file + " holds " + aliases.size()
            + " private keys " + aliases + "; it needs exactly one");
      }
      String alias = aliases.get(0);
      if (!(ks.getKey(alias, password) instanceof PrivateKey key)) {
        throw new IllegalStateException("the PKCS#12 file " + file + ": entry " + alias + " is not a private key");
      }
      java.security.cert.Certificate[] certs = ks.getCertificateChain(alias);
      if (certs == null || certs.length == 0) {
        throw new IllegalStateException("the PKCS#12 file " + file + ": key " + alias + " has no certificate");
      }
      List<X509Certificate> chain = new ArrayList<>();
      for (java.security.cert.Certificate c : certs) {
        if (!(c instanceof X509Certificate x)) {
          throw new IllegalStateException("the PKCS#12 file " + file + " holds a certificate that is not X.509");
        }
        chain.add(x);
      }
      checkPair(key, chain.get(0), "in the PKCS#12 file " + file + ", the key " + alias
          + " does not match its certificate");
      return new Identity(key, chain, file.toString());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the key in the PKCS#12 file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The first line of a password file (an empty file: the empty password). */
  static char[] readPassword(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the password file " + file + ": " + reason(e), e);
    }
    int nl = text.indexOf('\n');
    String line = nl < 0 ? text : text.substring(0, nl);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    return line.toCharArray();
  }

  // ---- the self-signed pair

  /** Where the self-signed certificate is exported as PEM, for clients to trust. */
  public static Path selfSignedCertificate(Path stateDir) {
    return stateDir.resolve(DIR).resolve(CERTIFICATE);
  }

  /**
   * Makes the self-signed pair on the first call, reuses it later (unless it is about to expire or the names
   * changed), exports the certificate as PEM and logs where it is and its fingerprint.
   */
  public static synchronized Identity selfSigned(TlsConfig.SelfSigned cfg, Path stateDir) {
    Path dir = stateDir.resolve(DIR);
    Path p12 = dir.resolve(P12);
    Path pass = dir.resolve(PASSWORD);
    List<String> names = cfg.names().isEmpty() ? defaultNames() : cfg.names();
    Identity id = null;
    if (Files.exists(p12)) {
      try {
        id = pkcs12(p12, readPassword(pass));
      } catch (IllegalStateException e) {
        throw new IllegalStateException(e.getMessage() + " (the self-signed admin TLS pair; delete " + p12
            + " to have a new one made)", e);
      }
      String stale = stale(id.certificate(), names);
      if (stale != null) {
        log.warn("making a new self-signed admin TLS certificate in {}: {}; clients must trust the new {}", p12, stale,
            dir.resolve(CERTIFICATE));
        id = null;
      }
    }
    boolean made = id == null;
    if (made) {
      generate(dir, names);
      id = pkcs12(p12, readPassword(pass));
    }
    Path crt = dir.resolve(CERTIFICATE);
    exportPem(id.certificate(), crt);
    log.info("{} self-signed admin TLS certificate {} for {}: SHA-256 {}, valid until {}; clients trust it with "
        + "curl --cacert {}", made ? "made a" : "using the", p12, String.join(", ", names), id.fingerprint(),
        id.certificate().getNotAfter().toInstant(), crt);
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
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).strip();
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
      tmp = Files.createTempDirectory(dir, ".new-", PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
      Path pass = Files.createFile(tmp.resolve(PASSWORD), PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      Files.writeString(pass, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n",
          StandardCharsets.US_ASCII);
      Path p12 = tmp.resolve(P12);
      String san = String.join(",", names.stream().map(n -> (TlsConfig.isIpLiteral(n) ? "ip:" : "dns:") + n).toList());
      String cn = names.stream().filter(n -> !TlsConfig.isIpLiteral(n)).findFirst().orElse("anvil");
      List<String> cmd = List.of(keytool().toString(), "-genkeypair", "-alias", "admin",
          "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
          "-validity", Integer.toString(VALIDITY_DAYS), "-dname", "CN=" + cn + ", O=Anvil admin API",
          "-ext", "SAN=" + san, "-ext", "EKU=serverAuth",
          "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass:file", pass.toString(), "-noprompt");
      run(cmd, tmp.resolve("keytool.out"), KEYTOOL_TIMEOUT);
      Files.setPosixFilePermissions(p12, PosixFilePermissions.fromString("rw-------"));
      Files.move(pass, dir.resolve(PASSWORD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.move(p12, dir.resolve(P12), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException("cannot make the self-signed admin TLS pair in " + dir + ": " + reason(e), e);
    } finally {
      deleteTree(tmp);
    }
  }

  private static Path keytool() {
    Path k = Path.of(System.getProperty("java.home"), "bin", "keytool");
    if (!Files.isExecutable(k)) {
      throw new IllegalStateException("cannot make the self-signed admin TLS pair: " + k + " is missing (this Java "
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
      pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
          .encodeToString(c.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode the certificate for " + file, e);
    }
    try {
      if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.US_ASCII).equals(pem)) {
        return;
      }
      Path tmp = Files.createTempFile(file.getParent(), ".crt-", ".tmp", PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-r--r--")));
      try {
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the certificate " + file + ": " + reason(e), e);
    }
  }

  // ---- PEM, keys, fingerprints

  /** Every {@code CERTIFICATE} block of a PEM file, in order. */
  public static List<X509Certificate> readCertificates(Path file) {
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Block b : pemBlocks(file, "certificate")) {
        if (b.type().equals("CERTIFICATE")) {
          out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der(file))));
        }
      }
    } catch (CertificateException e) {
      throw new IllegalStateException("the certificate file " + file + " holds a broken certificate: "
          + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("the certificate file " + file + " holds no PEM certificate (-----BEGIN "
          + "CERTIFICATE-----)");
    }
    return out;
  }

  /** The {@code PRIVATE KEY} block (PKCS#8, unencrypted) of a PEM file. */
  public static PrivateKey readPrivateKey(Path file) {
    List<Block> blocks = pemBlocks(file, "private key");
    for (Block b : blocks) {
      switch (b.type()) {
        case "PRIVATE KEY" -> {
          return pkcs8(file, b.der(file));
        }
        case "ENCRYPTED PRIVATE KEY" -> throw new IllegalStateException("the private key file " + file
            + " is encrypted; give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt) readable only by Anvil,"
            + " or use a PKCS#12 file with a password");
        case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" -> throw new IllegalStateException(
            "the private key file " + file + " holds a " + b.type() + " (traditional format), not PKCS#8; convert it"
            + " with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out KEY.pem");
        default -> {
          // a certificate or parameters beside the key: skip
        }
      }
    }
    throw new IllegalStateException("the private key file " + file + " holds no PEM private key (-----BEGIN PRIVATE "
        + "KEY-----)");
  }

  private static PrivateKey pkcs8(Path file, byte[] der) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (NoSuchAlgorithmException | java.security.spec.InvalidKeySpecException e) {
        // try the next algorithm
      }
    }
    throw new IllegalStateException("the private key file " + file + " holds a key that is not an EC, RSA or EdDSA "
        + "PKCS#8 key, or is broken");
  }

  /** One PEM block: its type (e.g. {@code CERTIFICATE}) and its text between the lines. */
  private record Block(String type, String body) {
    byte[] der(Path file) {
      try {
        return Base64.getMimeDecoder().decode(body);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(file + " holds a broken PEM block (" + type + "): " + e.getMessage(), e);
      }
    }
  }

  private static List<Block> pemBlocks(Path file, String what) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the " + what + " file " + file + ": " + reason(e), e);
    }
    List<Block> out = new ArrayList<>();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      out.add(new Block(m.group(1), m.group(2)));
    }
    return out;
  }

  /**
   * Fails with {@code message} unless the key signs what the certificate's public key verifies (the key
   * belongs to the certificate).
   */
  static void checkPair(PrivateKey key, X509Certificate cert, String message) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
      default -> null;
    };
    if (alg == null) {
      return; // e.g. RSASSA-PSS: the handshake will tell
    }
    String certAlg = cert.getPublicKey().getAlgorithm();
    if (!certAlg.equals(key.getAlgorithm()) && !(alg.equals("EdDSA") && certAlg.startsWith("Ed"))) {
      throw new IllegalStateException(message + " (a " + key.getAlgorithm() + " key, a " + certAlg + " certificate)");
    }
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      if (!v.verify(sig)) {
        throw new IllegalStateException(message);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(message + " (" + e.getMessage() + ")", e);
    }
  }

  /** SHA-256 of the DER certificate, upper-case hex pairs joined by ':'. */
  public static String fingerprint(X509Certificate c) {
    try {
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(c.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot fingerprint " + c.getSubjectX500Principal(), e);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
