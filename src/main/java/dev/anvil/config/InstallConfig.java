package dev.anvil.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What rendered answer files carry besides the node's own data.
 *
 * @param templatesDir an operator directory whose files replace shipped templates of the same relative path
 * @param tokenTtl how long an install token stays valid after it is issued
 * @param sshKeys public keys for root's authorized_keys on every installed node (the admin node's own key
 *     from {@code <stateDir>/ssh/id_rsa.pub} is added when it exists)
 * @param rootPasswordHash a crypt(3) hash for root; absent: root's password is locked (SSH keys only)
 * @param ntp NTP servers the installed systems use
 * @param importRoots directories {@code POST /api/v1/oses/{name}/import} may read from, besides
 *     {@code <stateDir>/import} (the API never reads an image or tree from anywhere else on the admin node)
 * @param importTimeout how long one OS import may take, its tools included (a tool still running then is killed)
 * @param maxImports imports through the API running at once; more wait in the queue
 */
public record InstallConfig(
        Optional<Path> templatesDir,
        Duration tokenTtl,
        List<String> sshKeys,
        Optional<String> rootPasswordHash,
        List<String> ntp,
        List<Path> importRoots,
        Duration importTimeout,
        int maxImports) {
    /** Defaults of the import fields. */
    public static final Duration IMPORT_TIMEOUT = Duration.ofHours(2);

    public static final int MAX_IMPORTS = 2;

    public InstallConfig {
        sshKeys = List.copyOf(sshKeys);
        ntp = List.copyOf(ntp);
        importRoots = List.copyOf(importRoots);
    }

    public static InstallConfig defaults() {
        return new InstallConfig(
                Optional.empty(),
                Duration.ofHours(24),
                List.of(),
                Optional.empty(),
                List.of(),
                List.of(),
                IMPORT_TIMEOUT,
                MAX_IMPORTS);
    }

    /** Where the API may import from: {@code <stateDir>/import}, then the configured roots. */
    public List<Path> importRootsIn(Path stateDir) {
        List<Path> all = new java.util.ArrayList<>();
        all.add(stateDir.resolve("import").toAbsolutePath().normalize());
        all.addAll(importRoots);
        return all;
    }
}
