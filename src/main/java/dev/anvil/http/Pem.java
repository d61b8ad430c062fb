package dev.anvil.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM files: certificate chains, PKCS#8 private keys, writing a certificate; and whether a key fits a certificate. */
public final class Pem {
    private static final Pattern PEM =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "EdDSA", "RSASSA-PSS");

    private Pem() {}

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
            throw new IllegalStateException(
                    "the certificate file " + file + " holds a broken certificate: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalStateException(
                    "the certificate file " + file + " holds no PEM certificate (-----BEGIN " + "CERTIFICATE-----)");
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
                case "ENCRYPTED PRIVATE KEY" ->
                    throw new IllegalStateException("the private key file " + file
                            + " is encrypted; give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt) "
                            + "readable only by Anvil,"
                            + " or use a PKCS#12 file with a password");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" ->
                    throw new IllegalStateException("the private key file " + file + " holds a " + b.type()
                            + " (traditional format), not PKCS#8; convert it"
                            + " with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out KEY.pem");
                default -> {
                    // a certificate or parameters beside the key: skip
                }
            }
        }
        throw new IllegalStateException(
                "the private key file " + file + " holds no PEM private key (-----BEGIN PRIVATE " + "KEY-----)");
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
                throw new IllegalStateException(
                        file + " holds a broken PEM block (" + type + "): " + e.getMessage(), e);
            }
        }
    }

    private static List<Block> pemBlocks(Path file, String what) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the " + what + " file " + file + ": " + Tls.reason(e), e);
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
            throw new IllegalStateException(
                    message + " (a " + key.getAlgorithm() + " key, a " + certAlg + " certificate)");
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
}
