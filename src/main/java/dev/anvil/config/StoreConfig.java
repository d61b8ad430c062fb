package dev.anvil.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where Anvil keeps its durable state ({@code store:}): the embedded H2 database in the state directory (the
 * default), or a PostgreSQL database the operator runs (doc/postgresql.md), which several anvild may share
 * (doc/scale-out.md).
 */
public sealed interface StoreConfig {
    /** An instance name: letters, digits, dot, dash and underscore, at most 64, starting with a letter or digit. */
    java.util.regex.Pattern INSTANCE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /**
     * This anvild's name among the instances of one store (its tasks record it); empty: the one kept in
     * {@code <stateDir>/instance}, made on the first start.
     */
    Optional<String> instance();

    /** The embedded H2 database {@code <stateDir>/anvil.mv.db}: one instance, which locks it. */
    record H2(Optional<String> instance) implements StoreConfig {
        public H2() {
            this(Optional.empty());
        }
    }

    /**
     * A PostgreSQL database.
     *
     * @param url {@code jdbc:postgresql://host:port/database} (the driver's further parameters allowed)
     * @param user the role Anvil logs in as
     * @param passwordFile a file holding the password (its first line); none: the server does not ask for one
     *     (trust, peer or a {@code .pgpass})
     * @param poolSize connections HikariCP keeps open
     * @param instance see {@link StoreConfig#instance()}
     * @param heartbeat how often this instance writes its heartbeat
     * @param takeover how long an instance's heartbeat may be silent before its peers take over its running tasks
     * @param resync how often every node in the store is compared with this instance's, for the change
     *     notifications it missed (zero: only after its listening connection was lost)
     */
    record Postgresql(
            String url,
            String user,
            Optional<Path> passwordFile,
            int poolSize,
            Optional<String> instance,
            Duration heartbeat,
            Duration takeover,
            Duration resync)
            implements StoreConfig {
        public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);
        public static final Duration DEFAULT_TAKEOVER = Duration.ofSeconds(30);
        public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(30);

        /** With the default instance name, heartbeat, takeover timeout and resync interval. */
        public Postgresql(String url, String user, Optional<Path> passwordFile, int poolSize) {
            this(url, user, passwordFile, poolSize, Optional.empty(), DEFAULT_HEARTBEAT, DEFAULT_TAKEOVER);
        }

        /** With the default resync interval. */
        public Postgresql(
                String url,
                String user,
                Optional<Path> passwordFile,
                int poolSize,
                Optional<String> instance,
                Duration heartbeat,
                Duration takeover) {
            this(url, user, passwordFile, poolSize, instance, heartbeat, takeover, DEFAULT_RESYNC);
        }
    }

    static StoreConfig defaults() {
        return new H2();
    }
}
