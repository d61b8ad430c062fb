package dev.anvil.store;

import dev.anvil.core.auth.ApiToken;
import dev.anvil.core.auth.Role;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Admin API tokens, kept as the SHA-256 of their secret only. */
public interface ApiTokenStore {
    /** Stores a token; a name already in use is a {@code ConflictException} on {@code name}. */
    ApiToken add(String name, Role role, String secretSha256, Instant createdAt);

    Optional<ApiToken> bySecretSha256(String secretSha256);

    List<ApiToken> list();

    /** True when the token existed (it is gone now). */
    boolean remove(long id);

    long count(Role role);
}
