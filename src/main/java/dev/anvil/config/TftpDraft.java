package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code tftp:} section as written. */
record TftpDraft(
        Boolean enabled,
        String listen,
        String root,
        Integer maxBlksize,
        Integer maxWindowsize,
        Integer timeoutMillis,
        Integer retries,
        Integer maxClientTimeoutSeconds,
        Integer maxTransfers,
        Integer maxTransfersPerClient,
        Integer busyPollMicros,
        List<String> uploadDirs,
        Boolean uploadOverwrite,
        Long maxUploadBytes) {

    TftpConfig validate() {
        List<Violation> v = new ArrayList<>();
        HostPort hp = null;
        try {
            hp = HostPort.parse(listen == null ? "0.0.0.0:69" : listen);
        } catch (IllegalArgumentException e) {
            v.add(new Violation("listen", e.getMessage()));
        }
        Drafts.range(v, "maxBlksize", maxBlksize, 8, 65464);
        Drafts.range(v, "maxWindowsize", maxWindowsize, 1, 65535);
        Drafts.range(v, "timeoutMillis", timeoutMillis, 50, 255_000);
        Drafts.range(v, "retries", retries, 0, 100);
        Drafts.range(v, "maxClientTimeoutSeconds", maxClientTimeoutSeconds, 1, 255);
        Drafts.range(v, "maxTransfers", maxTransfers, 1, 100_000);
        Drafts.range(v, "maxTransfersPerClient", maxTransfersPerClient, 1, 100_000);
        Drafts.range(v, "busyPollMicros", busyPollMicros, 0, 10_000);
        List<Path> uploads = new ArrayList<>();
        for (String d : uploadDirs == null ? List.<String>of() : uploadDirs) {
            Path p;
            try {
                p = d == null ? null : Path.of(d).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                p = null;
            }
            if (p == null || d.isBlank() || p.isAbsolute() || p.toString().isEmpty() || p.startsWith("..")) {
                v.add(new Violation(
                        "uploadDirs", "'" + d + "' must be a directory relative to the TFTP root, inside it"));
            } else {
                uploads.add(p);
            }
        }
        if (maxUploadBytes != null && maxUploadBytes < 0) {
            v.add(new Violation("maxUploadBytes", "must be 0 or more, got " + maxUploadBytes));
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new TftpConfig(
                enabled == null || enabled,
                hp,
                java.util.Optional.ofNullable(root).map(Path::of),
                maxBlksize == null ? 1468 : maxBlksize,
                maxWindowsize == null ? 64 : maxWindowsize,
                Duration.ofMillis(timeoutMillis == null ? 1000 : timeoutMillis),
                retries == null ? 6 : retries,
                Duration.ofSeconds(maxClientTimeoutSeconds == null ? 30 : maxClientTimeoutSeconds),
                maxTransfers == null ? 1_000 : maxTransfers,
                maxTransfersPerClient == null ? 8 : maxTransfersPerClient,
                Duration.ofNanos(1000L * (busyPollMicros == null ? 0 : busyPollMicros)),
                List.copyOf(uploads),
                uploadOverwrite != null && uploadOverwrite,
                maxUploadBytes == null ? 256L << 20 : maxUploadBytes);
    }
}
