package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The {@code install:} section as written. */
record InstallDraft(
        String templatesDir,
        Integer tokenTtlMinutes,
        List<String> sshKeys,
        String rootPasswordHash,
        List<String> ntp,
        List<String> importRoots,
        Integer importTimeoutSeconds,
        Integer maxImports) {
    private static final Pattern CRYPT = Pattern.compile("\\$(1|5|6|y|2[aby])\\$[./A-Za-z0-9$=,]+");
    private static final Pattern KEY = Pattern.compile(
            "(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)" + "|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( [^\\r\\n]*)?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:-]{1,253}");

    InstallConfig validate() {
        List<Violation> v = new ArrayList<>();
        if (tokenTtlMinutes != null && (tokenTtlMinutes < 1 || tokenTtlMinutes > 60 * 24 * 30)) {
            v.add(new Violation("tokenTtlMinutes", tokenTtlMinutes + " is outside 1..43200"));
        }
        List<String> keys = sshKeys == null ? List.of() : sshKeys;
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i) == null || !KEY.matcher(keys.get(i).strip()).matches()) {
                v.add(new Violation("sshKeys[" + i + "]", "is not an OpenSSH public key line (type base64 [comment])"));
            }
        }
        if (rootPasswordHash != null && !CRYPT.matcher(rootPasswordHash).matches()) {
            v.add(new Violation(
                    "rootPasswordHash", "is not a crypt(3) hash such as $6$salt$... (never a clear password)"));
        }
        List<String> servers = ntp == null ? List.of() : ntp;
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i) == null || !HOST.matcher(servers.get(i)).matches()) {
                v.add(new Violation("ntp[" + i + "]", "is not a host name or address"));
            }
        }
        List<String> roots = importRoots == null ? List.of() : importRoots;
        for (int i = 0; i < roots.size(); i++) {
            if (roots.get(i) == null || !Path.of(roots.get(i)).isAbsolute()) {
                v.add(new Violation("importRoots[" + i + "]", "must be an absolute directory path"));
            }
        }
        Drafts.range(v, "importTimeoutSeconds", importTimeoutSeconds, 1, 7 * 86_400);
        Drafts.range(v, "maxImports", maxImports, 1, 16);
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new InstallConfig(
                Optional.ofNullable(templatesDir).map(Path::of),
                Duration.ofMinutes(tokenTtlMinutes == null ? 24 * 60 : tokenTtlMinutes),
                keys.stream().map(String::strip).toList(),
                Optional.ofNullable(rootPasswordHash),
                servers,
                roots.stream().map(r -> Path.of(r).normalize()).toList(),
                importTimeoutSeconds == null ? InstallConfig.IMPORT_TIMEOUT : Duration.ofSeconds(importTimeoutSeconds),
                maxImports == null ? InstallConfig.MAX_IMPORTS : maxImports);
    }
}
