package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code store:} section as written. */
record StoreDraft(String kind, String url, String user, String passwordFile, Integer poolSize) {
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
            }
            default -> v.add(new Violation("kind", "must be h2 or postgresql (got \"" + k + "\")"));
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        if (k.equals("h2")) {
            return new StoreConfig.H2();
        }
        return new StoreConfig.Postgresql(
                url, user, Optional.ofNullable(passwordFile).map(Path::of), poolSize == null ? DEFAULT_POOL : poolSize);
    }
}
