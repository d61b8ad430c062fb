package dev.anvil.auth;

import dev.anvil.store.MetaStore;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The key install tokens are made with: {@code <stateDir>/install-token.key} (0600), never in the store. */
public final class InstallTokenKey {
    private static final Logger log = LoggerFactory.getLogger(InstallTokenKey.class);
    /** Where a store from before the key file kept it. */
    static final String LEGACY_META_KEY = "install-token-key";

    public static final String FILE = "install-token.key";

    private InstallTokenKey() {}

    /**
     * The key, made with {@code fresh} (hex) on the first start. A store from before the key left the database
     * still holds it: it moves to the file (live tokens stay valid) and out of the store.
     */
    public static byte[] load(MetaStore meta, Path stateDir, Supplier<String> fresh) {
        Optional<String> legacy = meta.get(LEGACY_META_KEY);
        Path file = stateDir.resolve(FILE);
        String key = SecretFiles.readOrCreate(file, () -> legacy.orElseGet(fresh));
        if (legacy.isPresent()) {
            meta.remove(LEGACY_META_KEY);
            log.info("install-token key moved from the store to {}", file);
        }
        return HexFormat.of().parseHex(key);
    }
}
