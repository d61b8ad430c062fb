package dev.anvil.power;

import dev.anvil.core.power.Bmc;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Which TLS certificates a Redfish BMC may present (doc/power.md, doc/security.md), by the node's settings:
 *
 * <ul>
 *   <li>{@code certificateSha256} set: exactly the certificate whose DER encoding has that SHA-256, and no other
 *       (no chain, no name check: the pin names the certificate itself, as BMCs' self-signed certificates need);
 *   <li>else {@code verifyTls} (the default): the trust anchors ({@code null}: the JDK's {@code cacerts}) and the
 *       name the BMC is reached by, through the JDK's own checks; a refusal names the certificate's SHA-256 so an
 *       operator who has checked it out of band can pin it;
 *   <li>else any certificate (the connection is encrypted but not authenticated).
 * </ul>
 */
public final class RedfishTls {
    private final Optional<KeyStore> trustAnchors;
    private final SecureRandom random;

    /**
     * @param trustAnchors the CAs trusted when {@code verifyTls}; empty: the JDK's {@code cacerts}
     */
    public RedfishTls(Optional<KeyStore> trustAnchors, SecureRandom random) {
        this.trustAnchors = trustAnchors;
        this.random = random;
    }

    /** The JDK's trust store. */
    public static RedfishTls jdk() {
        return new RedfishTls(Optional.empty(), new SecureRandom());
    }

    /** What decides a BMC's TLS: one {@link java.net.http.HttpClient} per distinct policy. */
    static String policy(Bmc bmc) {
        return bmc.certificateSha256().map(p -> "pin:" + p).orElse(bmc.verifyTls() ? "verify" : "any");
    }

    /** An SSL context for {@link #policy}. */
    SSLContext context(String policy) {
        try {
            X509ExtendedTrustManager tm;
            if (policy.startsWith("pin:")) {
                tm = new Pinned(policy.substring(4));
            } else if (policy.equals("verify")) {
                TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                f.init(trustAnchors.orElse(null));
                tm = new Naming(jdkManager(f.getTrustManagers()));
            } else {
                tm = new Pinned(null);
            }
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, new TrustManager[] {tm}, random);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for Redfish: " + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager jdkManager(TrustManager[] managers) {
        for (TrustManager m : managers) {
            if (m instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
    }

    /** The SHA-256 of a certificate's DER encoding, 64 lower-case hex digits. */
    public static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate leaf(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the BMC presented no certificate");
        }
        return chain[0];
    }

    /** A trust manager for a client: checks servers only, every overload through {@link #check}. */
    private abstract static class ServerOnly extends X509ExtendedTrustManager {
        /** {@code engine} or {@code socket} (or neither) as the handshake gave them. */
        abstract void check(X509Certificate[] chain, String authType, SSLEngine engine, Socket socket)
                throws CertificateException;

        @Override
        public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain, authType, engine, null);
        }

        @Override
        public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain, authType, null, socket);
        }

        @Override
        public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, authType, null, null);
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }
    }

    /** The JDK's checks (chain and name, the name through the engine's endpoint identification), refusals named. */
    private static final class Naming extends ServerOnly {
        private final X509ExtendedTrustManager jdk;

        Naming(X509ExtendedTrustManager jdk) {
            this.jdk = jdk;
        }

        @Override
        void check(X509Certificate[] chain, String authType, SSLEngine engine, Socket socket)
                throws CertificateException {
            try {
                if (engine != null) {
                    jdk.checkServerTrusted(chain, authType, engine);
                } else if (socket != null) {
                    jdk.checkServerTrusted(chain, authType, socket);
                } else {
                    jdk.checkServerTrusted(chain, authType);
                }
            } catch (CertificateException e) {
                throw new CertificateException(
                        "the BMC's certificate (sha256 " + sha256(leaf(chain)) + ") is not trusted: " + e.getMessage(),
                        e);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return jdk.getAcceptedIssuers();
        }
    }

    /**
     * Exactly the certificate with SHA-256 {@code pin}, or ({@code pin} null) any. Being an {@link
     * X509ExtendedTrustManager}, it replaces the JDK's chain and name checks rather than adding to them.
     */
    private static final class Pinned extends ServerOnly {
        private final String pin;

        Pinned(String pin) {
            this.pin = pin;
        }

        @Override
        void check(X509Certificate[] chain, String authType, SSLEngine engine, Socket socket)
                throws CertificateException {
            String got = sha256(leaf(chain));
            if (pin != null
                    && !MessageDigest.isEqual(
                            got.getBytes(StandardCharsets.US_ASCII), pin.getBytes(StandardCharsets.US_ASCII))) {
                throw new CertificateException(
                        "the BMC's certificate (sha256 " + got + ") is not the pinned one (sha256 " + pin + ")");
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
