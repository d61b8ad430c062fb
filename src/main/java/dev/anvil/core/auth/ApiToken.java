package dev.anvil.core.auth;

import java.time.Instant;

/** An admin API token as stored: never its secret. */
public record ApiToken(long id, String name, Role role, Instant createdAt) {}
