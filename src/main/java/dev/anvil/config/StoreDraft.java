package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code store:} section as written. */
record StoreDraft(
        String kind,
        String url,
        String user,
        String passwordFile,
        Integer poolSize,
        String instance,
        Integer heartbeatSeconds,
        Integer takeoverSeconds,
        Integer resyncSeconds) {
    static final int DEFAULT_POOL = 8;

    StoreConfig validate() {
        List<Violation> v = new ArrayList<>();
        String k = kind == null ? "h2" : kind;
        switch (k) {
            case "h2" -> {
                for (String[] f : new String[][] {{"url", url}, {"user", user}, {"passwordFile", passwordFile}}) {
                    if (f[1] != null) {
                        v.add(new Violation(f[0], "is for kind postgresql; the h2 store lives in stateDir"));
                    }
                }
                if (poolSize != null) {
                    v.add(new Violation("poolSize", "is for kind postgresql; the h2 store lives in stateDir"));
                }
                for (Object[] f : new Object[][] {
                    {"heartbeatSeconds", heartbeatSeconds},
                    {"takeoverSeconds", takeoverSeconds},
                    {"resyncSeconds", resyncSeconds}
                }) {
                    if (f[1] != null) {
                        v.add(new Violation(
                                (String) f[0],
                                "is for kind postgresql, which several instances may share; "
                                        + "the h2 store has one"));
                    }
                }
            }
            case "postgresql" -> {
                if (url == null || url.isBlank()) {
                    v.add(new Violation("url", "is required for kind postgresql (jdbc:postgresql://host:port/db)"));
                } else if (!url.startsWith("jdbc:postgresql://")) {
                    v.add(new Violation("url", "must start with jdbc:postgresql:// (got \"" + url + "\")"));
                }
                if (user == null || user.isBlank()) {
                    v.add(new Violation("user", "is required for kind postgresql"));
                }
                if (passwordFile != null && passwordFile.isBlank()) {
                    v.add(new Violation("passwordFile", "must not be empty (leave it out when no password is asked)"));
                }
                Drafts.range(v, "poolSize", poolSize, 1, 200);
                Drafts.range(v, "heartbeatSeconds", heartbeatSeconds, 1, 3600);
                Drafts.range(v, "takeoverSeconds", takeoverSeconds, 2, 86_400);
                Drafts.range(v, "resyncSeconds", resyncSeconds, 0, 86_400);
                long beat = heartbeatSeconds == null
                        ? StoreConfig.Postgresql.DEFAULT_HEARTBEAT.toSeconds()
                        : heartbeatSeconds;
                long take =
                        takeoverSeconds == null ? StoreConfig.Postgresql.DEFAULT_TAKEOVER.toSeconds() : takeoverSeconds;
                if (v.isEmpty() && take < 2 * beat) {
                    v.add(new Violation(
                            "takeoverSeconds",
                            take + " must be at least twice heartbeatSeconds (" + beat + "): one late heartbeat "
                                    + "must not count as a dead instance"));
                }
            }
            default -> v.add(new Violation("kind", "must be h2 or postgresql (got \"" + k + "\")"));
        }
        if (instance != null && !StoreConfig.INSTANCE_NAME.matcher(instance).matches()) {
            v.add(new Violation(
                    "instance",
                    "must be 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit (got \""
                            + instance + "\")"));
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        if (k.equals("h2")) {
            return new StoreConfig.H2(Optional.ofNullable(instance));
        }
        return new StoreConfig.Postgresql(
                url,
                user,
                Optional.ofNullable(passwordFile).map(Path::of),
                poolSize == null ? DEFAULT_POOL : poolSize,
                Optional.ofNullable(instance),
                heartbeatSeconds == null
                        ? StoreConfig.Postgresql.DEFAULT_HEARTBEAT
                        : Duration.ofSeconds(heartbeatSeconds),
                takeoverSeconds == null ? StoreConfig.Postgresql.DEFAULT_TAKEOVER : Duration.ofSeconds(takeoverSeconds),
                resyncSeconds == null ? StoreConfig.Postgresql.DEFAULT_RESYNC : Duration.ofSeconds(resyncSeconds));
    }
}
