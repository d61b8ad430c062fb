package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code tls:} section as written (under {@code api:}). Its presence turns TLS on; it names exactly one of
 * {@code certificate} + {@code privateKey}, {@code pkcs12} (+ {@code pkcs12Password} or {@code
 * pkcs12PasswordFile}), or {@code selfSigned: true} (+ {@code selfSignedNames}).
 */
record TlsDraft(
        String certificate,
        String privateKey,
        String pkcs12,
        String pkcs12Password,
        String pkcs12PasswordFile,
        Boolean selfSigned,
        List<String> selfSignedNames) {
    static final int MAX_NAMES = 100;

    TlsConfig validate() {
        List<Violation> v = new ArrayList<>();
        List<String> forms = new ArrayList<>();
        if (certificate != null || privateKey != null) {
            forms.add("certificate + privateKey");
        }
        if (pkcs12 != null) {
            forms.add("pkcs12");
        }
        if (Boolean.TRUE.equals(selfSigned)) {
            forms.add("selfSigned");
        }
        if (forms.isEmpty()) {
            v.add(new Violation(
                    "",
                    "give one of certificate + privateKey (PEM files), pkcs12 (a .p12 file) or selfSigned:" + " true"));
        } else if (forms.size() > 1) {
            v.add(new Violation(
                    "",
                    "certificate + privateKey, pkcs12 and selfSigned are alternatives, give exactly one " + "(found "
                            + String.join(", ", forms) + ")"));
        }

        Path cert = path(v, "certificate", certificate);
        Path key = path(v, "privateKey", privateKey);
        if (certificate != null && privateKey == null) {
            v.add(new Violation("privateKey", "is required with certificate (a PEM PKCS#8 key file)"));
        }
        if (privateKey != null && certificate == null) {
            v.add(new Violation("certificate", "is required with privateKey (a PEM certificate chain file)"));
        }

        Path p12 = path(v, "pkcs12", pkcs12);
        Path passFile = path(v, "pkcs12PasswordFile", pkcs12PasswordFile);
        if (pkcs12 == null) {
            if (pkcs12Password != null) {
                v.add(new Violation("pkcs12Password", "is only used with pkcs12"));
            }
            if (pkcs12PasswordFile != null) {
                v.add(new Violation("pkcs12PasswordFile", "is only used with pkcs12"));
            }
        } else if (pkcs12Password != null && pkcs12PasswordFile != null) {
            v.add(new Violation("pkcs12PasswordFile", "give pkcs12Password or pkcs12PasswordFile, not both"));
        }

        List<String> names = List.of();
        if (selfSignedNames != null) {
            if (!Boolean.TRUE.equals(selfSigned)) {
                v.add(new Violation("selfSignedNames", "is only used with selfSigned: true"));
            } else if (selfSignedNames.isEmpty() || selfSignedNames.size() > MAX_NAMES) {
                v.add(new Violation(
                        "selfSignedNames",
                        "must list 1 to " + MAX_NAMES + " DNS names or IP addresses (leave it"
                                + " out for localhost, 127.0.0.1 and this machine's host name)"));
            } else {
                for (int i = 0; i < selfSignedNames.size(); i++) {
                    if (!TlsConfig.isSubjectName(selfSignedNames.get(i))) {
                        v.add(new Violation(
                                "selfSignedNames[" + i + "]",
                                "\"" + selfSignedNames.get(i) + "\" is not a DNS name or" + " an IP address"));
                    }
                }
                names = selfSignedNames;
            }
        }

        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        if (cert != null) {
            return new TlsConfig(new TlsConfig.Pem(cert, key));
        }
        if (p12 != null) {
            return new TlsConfig(
                    new TlsConfig.Pkcs12(p12, Optional.ofNullable(pkcs12Password), Optional.ofNullable(passFile)));
        }
        return new TlsConfig(new TlsConfig.SelfSigned(names));
    }

    private static Path path(List<Violation> v, String field, String value) {
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            v.add(new Violation(field, "must not be empty"));
            return null;
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            v.add(new Violation(field, "\"" + value + "\" is not a file path"));
            return null;
        }
    }
}
