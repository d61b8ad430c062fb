package dev.anvil.store.pg;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.anvil.store.SharedLeaseStore;
import dev.anvil.store.StoreException;
import dev.anvil.store.sql.Dialect;
import dev.anvil.store.sql.Migrations;
import dev.anvil.store.sql.SqlSharedLeaseStore;
import dev.anvil.store.sql.SqlStore;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stores on a PostgreSQL database the operator runs (doc/postgresql.md): the SQL stores over
 * {@link PgJdbc}, the schema brought up to date by the same Flyway migrations as H2's (with PostgreSQL twins
 * where the SQL differs).
 */
public final class PgStore extends SqlStore {
    private static final Logger log = LoggerFactory.getLogger(PgStore.class);

    private final SqlSharedLeaseStore sharedLeases;

    private PgStore(PgJdbc jdbc) {
        super(jdbc);
        this.sharedLeases = new SqlSharedLeaseStore(jdbc);
    }

    @Override
    public Optional<SharedLeaseStore> sharedLeases() {
        return Optional.of(sharedLeases);
    }

    /**
     * Connects ({@code poolSize} connections at most), migrates and returns the store; a database that cannot be
     * reached or refuses the login is a {@link StoreException} naming it.
     */
    public static PgStore open(String url, String user, Optional<String> password, int poolSize) {
        long t0 = System.nanoTime();
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        password.ifPresent(hc::setPassword);
        hc.setMaximumPoolSize(poolSize);
        hc.setMinimumIdle(Math.min(2, poolSize));
        hc.setPoolName("anvil-store");
        hc.setConnectionTimeout(10_000);
        hc.setAutoCommit(true);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (HikariPool.PoolInitializationException | IllegalArgumentException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StoreException(
                    "cannot connect to PostgreSQL at " + url + " as " + user + ": " + cause.getMessage(), e);
        }
        try {
            long m0 = System.nanoTime();
            int version = Migrations.apply(pool, Dialect.POSTGRESQL);
            log.info(
                    "store open: PostgreSQL {} as {} (schema version {}, pool {}) in {} ms, migrations {} ms",
                    url,
                    user,
                    version,
                    poolSize,
                    (System.nanoTime() - t0) / 1_000_000,
                    (System.nanoTime() - m0) / 1_000_000);
            return new PgStore(new PgJdbc(pool));
        } catch (SQLException | RuntimeException e) {
            pool.close();
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("cannot open the store in PostgreSQL at " + url + ": " + e.getMessage(), e);
        }
    }
}
