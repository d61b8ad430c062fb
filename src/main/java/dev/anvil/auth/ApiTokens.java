package dev.anvil.auth;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.auth.ApiToken;
import dev.anvil.core.auth.Role;
import dev.anvil.store.ApiTokenStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens for the admin API: 256 random bits, shown once when made, kept only as their SHA-256 (a
 * token has the entropy of a key, so a fast hash is enough: nothing to brute-force). The first start of an
 * installation with no admin token writes one to {@code <stateDir>/admin-token}, mode 0600.
 */
public final class ApiTokens {
    private static final Logger log = LoggerFactory.getLogger(ApiTokens.class);
    /** The file the first admin token is written to, in the state directory. */
    public static final String ADMIN_TOKEN_FILE = "admin-token";

    static final String PREFIX = "anvil_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern SECRET = Pattern.compile(PREFIX + "[A-Za-z0-9_-]{43}");

    /** A token just made: its record and its secret, which is never available again. */
    public record Issued(ApiToken token, String secret) {}

    private final ApiTokenStore store;
    private final Clock clock;
    private final RandomGenerator random;

    /** {@code random}: a cryptographically strong source (SecureRandom in the daemon). */
    public ApiTokens(ApiTokenStore store, Clock clock, RandomGenerator random) {
        this.store = store;
        this.clock = clock;
        this.random = random;
    }

    public Issued create(String name, Role role) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException(
                    "name",
                    "a token name is 1 to 64 letters, digits, '.', '_' or '-', " + "starting with a letter or digit");
        }
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        ApiToken t = store.add(name, role, sha256(secret), clock.instant());
        log.info("api token {} \"{}\" made with role {}", t.id(), t.name(), role.wireName());
        return new Issued(t, secret);
    }

    /** The token a bearer secret stands for; empty for anything unknown or malformed. */
    public Optional<ApiToken> authenticate(String secret) {
        if (secret == null || !SECRET.matcher(secret).matches()) {
            return Optional.empty();
        }
        return store.bySecretSha256(sha256(secret));
    }

    public List<ApiToken> list() {
        return store.list();
    }

    public void revoke(long id) {
        if (!store.remove(id)) {
            throw new NotFoundException("no token " + id);
        }
        log.info("api token {} revoked", id);
    }

    /**
     * When no admin token exists (the first start, or every admin token was revoked), makes one and writes its
     * secret to {@code <stateDir>/admin-token} (0600, replaced atomically); returns the file, else empty.
     */
    public Optional<Path> ensureAdminToken(Path stateDir) {
        if (store.count(Role.ADMIN) > 0) {
            return Optional.empty();
        }
        return Optional.of(writeAdminToken(stateDir));
    }

    /** For a lost or leaked admin token: revokes every admin token, then writes a new one as at first start. */
    public Path resetAdminToken(Path stateDir) {
        for (ApiToken t : store.list()) {
            if (t.role() == Role.ADMIN) {
                revoke(t.id());
            }
        }
        return writeAdminToken(stateDir);
    }

    private Path writeAdminToken(Path stateDir) {
        Path file = stateDir.resolve(ADMIN_TOKEN_FILE);
        String name = "admin-" + clock.instant().getEpochSecond();
        Issued issued = create(name, Role.ADMIN);
        try {
            SecretFiles.write(file, issued.secret() + "\n");
        } catch (IOException | RuntimeException e) {
            store.remove(issued.token().id());
            throw new IllegalStateException("cannot write the admin token to " + file + ": " + e.getMessage(), e);
        }
        log.info(
                "admin API token \"{}\" written to {} (mode 0600); send it as Authorization: Bearer <token>",
                name,
                file.toAbsolutePath().normalize());
        return file;
    }

    static String sha256(String secret) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
