package dev.anvil.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where Anvil keeps its durable state ({@code store:}): the embedded H2 database in the state directory (the
 * default), or a PostgreSQL database the operator runs (doc/postgresql.md).
 */
public sealed interface StoreConfig {
    /** The embedded H2 database {@code <stateDir>/anvil.mv.db}. */
    record H2() implements StoreConfig {}

    /**
     * A PostgreSQL database.
     *
     * @param url {@code jdbc:postgresql://host:port/database} (the driver's further parameters allowed)
     * @param user the role Anvil logs in as
     * @param passwordFile a file holding the password (its first line); none: the server does not ask for one
     *     (trust, peer or a {@code .pgpass})
     * @param poolSize connections HikariCP keeps open
     */
    record Postgresql(String url, String user, Optional<Path> passwordFile, int poolSize) implements StoreConfig {}

    static StoreConfig defaults() {
        return new H2();
    }
}
