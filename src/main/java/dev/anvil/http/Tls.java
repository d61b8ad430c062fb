package dev.anvil.http;

import dev.anvil.config.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
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
 * it expires within {@link SelfSignedPair#RENEW_BEFORE} or the configured names changed ({@link SelfSignedPair});
 * PEM files are read through {@link Pem}.
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
            return SelfSignedPair.selfSigned(ss, stateDir);
        }
        Identity id;
        if (s instanceof TlsConfig.Pem pem) {
            id = pem(pem.certificate(), pem.privateKey());
        } else if (s instanceof TlsConfig.Pkcs12 p) {
            char[] password = p.password()
                    .map(String::toCharArray)
                    .orElseGet(() -> p.passwordFile().map(Tls::readPassword).orElse(new char[0]));
            id = pkcs12(p.file(), password);
        } else {
            throw new IllegalArgumentException("unknown TLS source " + s);
        }
        X509Certificate c = id.certificate();
        log.info(
                "admin TLS certificate {} from {}: SHA-256 {}, valid until {}",
                c.getSubjectX500Principal(),
                id.origin(),
                id.fingerprint(),
                c.getNotAfter().toInstant());
        Instant end = c.getNotAfter().toInstant();
        if (end.isBefore(Instant.now().plus(SelfSignedPair.RENEW_BEFORE))) {
            log.warn(
                    "the admin TLS certificate in {} {} on {}",
                    id.origin(),
                    end.isBefore(Instant.now()) ? "expired" : "expires",
                    end);
        }
        return id;
    }

    /** Reads a PEM certificate chain and a PEM PKCS#8 private key, and checks that they belong together. */
    public static Identity pem(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = Pem.readCertificates(certificateFile);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        Pem.checkPair(
                key, chain.get(0), "the private key " + keyFile + " does not match the certificate " + certificateFile);
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
                throw new IllegalStateException(
                        "the PKCS#12 file " + file + ": entry " + alias + " is not a private key");
            }
            java.security.cert.Certificate[] certs = ks.getCertificateChain(alias);
            if (certs == null || certs.length == 0) {
                throw new IllegalStateException("the PKCS#12 file " + file + ": key " + alias + " has no certificate");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (java.security.cert.Certificate c : certs) {
                if (!(c instanceof X509Certificate x)) {
                    throw new IllegalStateException(
                            "the PKCS#12 file " + file + " holds a certificate that is not X.509");
                }
                chain.add(x);
            }
            Pem.checkPair(
                    key,
                    chain.get(0),
                    "in the PKCS#12 file " + file + ", the key " + alias + " does not match its certificate");
            return new Identity(key, chain, file.toString());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot read the key in the PKCS#12 file " + file + ": " + e.getMessage(), e);
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

    /** SHA-256 of the DER certificate, upper-case hex pairs joined by ':'. */
    public static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.ofDelimiter(":")
                    .withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot fingerprint " + c.getSubjectX500Principal(), e);
        }
    }

    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
