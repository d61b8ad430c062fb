package dev.anvil.store.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations through Flyway: the scripts {@code db/V<n>__<what>.sql} on the class path run
 * once each, in order, recorded in {@code flyway_schema_history}. A database newer than this Anvil (a
 * migration it does not know) is refused, not run on. A database made before Flyway (its own
 * {@code schema_version} table) is taken over: Flyway's history starts as a baseline at its version.
 *
 * <p>PostgreSQL runs the same scripts except where its SQL differs: a script of the same name in
 * {@code db-postgresql/} stands in for {@code db/}'s ({@link TwinScripts}), so both backends count the same
 * versions.
 */
public final class Migrations {
    private static final Logger log = LoggerFactory.getLogger(Migrations.class);
    static final String HISTORY = "flyway_schema_history";
    /**
     * The newest script's version ({@code MigrationsTest} checks it against {@code db/}). A database already at
     * it opens without Flyway, whose class loading alone costs about half a second on a cold JVM, on the way to
     * the first DHCP answer after a restart (issue 23); Flyway runs (and validates) whenever it is not.
     */
    public static final int LATEST = 18;

    private Migrations() {}

    /** Brings an H2 schema up to date; returns its version. */
    public static int apply(DataSource dataSource) throws SQLException {
        return apply(dataSource, Dialect.H2);
    }

    /** Brings the schema up to date with {@code dialect}'s scripts; returns its version. */
    public static int apply(DataSource dataSource, Dialect dialect) throws SQLException {
        if (recordedVersion(dataSource) == LATEST) {
            return LATEST;
        }
        int legacy = legacyVersion(dataSource);
        var config = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db")
                .table(HISTORY)
                .cleanDisabled(true)
                .validateMigrationNaming(true)
                .ignoreMigrationPatterns(new String[0]) // a migration from a newer Anvil is an error, not ignored
                .loggers("slf4j");
        if (dialect != Dialect.H2) {
            config.resourceProvider(TwinScripts.load(Migrations.class.getClassLoader(), "db", dialect.twins()));
        }
        if (legacy > 0) {
            config.baselineOnMigrate(true)
                    .baselineVersion(Integer.toString(legacy))
                    .baselineDescription("schema_version " + legacy + " (before Flyway)");
        }
        Flyway flyway = config.load();
        try {
            var result = flyway.migrate();
            if (result.migrationsExecuted > 0) {
                log.info(
                        "applied {} schema migrations: now at version {}",
                        result.migrationsExecuted,
                        result.targetSchemaVersion);
            }
        } catch (FlywayException e) {
            throw new SQLException(explain(flyway, e), e);
        }
        if (legacy > 0) {
            try (Connection c = dataSource.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("DROP TABLE schema_version"); // an older Anvil then refuses the database, not half-reads it
            }
            log.info("schema history moved to {} (baseline at version {})", HISTORY, legacy);
        }
        MigrationInfo current = flyway.info().current();
        return current == null ? 0 : Integer.parseInt(current.getVersion().getVersion());
    }

    /** The newest successful version in Flyway's history; -1 without one. */
    private static int recordedVersion(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!tableExists(c, HISTORY)) {
                return -1;
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT MAX(CAST(\"version\" AS INTEGER)) " + "FROM \"" + HISTORY
                            + "\" WHERE \"success\" AND \"version\" IS NOT NULL")) {
                return rs.next() ? rs.getInt(1) : -1;
            }
        }
    }

    /** The version the pre-Flyway {@code schema_version} table records, 0 when there is none to take over. */
    private static int legacyVersion(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!tableExists(c, "SCHEMA_VERSION") || tableExists(c, HISTORY)) {
                return 0;
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Whether the table exists, whatever the case of its name (Flyway's history table is quoted lower case). */
    public static boolean tableExists(Connection c, String name) throws SQLException {
        try (var p = c.prepareStatement("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES "
                + "WHERE UPPER(TABLE_SCHEMA) = 'PUBLIC' AND UPPER(TABLE_NAME) = UPPER(?)")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    private static String explain(Flyway flyway, FlywayException e) {
        try {
            MigrationInfo[] applied = flyway.info().applied();
            MigrationInfo[] known = flyway.info().all();
            long newer = java.util.Arrays.stream(applied)
                    .filter(m -> m.getState().isFailed()
                            || m.getState() == org.flywaydb.core.api.MigrationState.FUTURE_SUCCESS)
                    .count();
            if (newer > 0 && applied.length > 0) {
                return "the database has schema version " + applied[applied.length - 1].getVersion()
                        + " but this Anvil "
                        + "knows only " + (known.length == 0 ? "none" : lastKnown(known)) + "; use a newer Anvil ("
                        + e.getMessage().lines().findFirst().orElse("") + ")";
            }
        } catch (FlywayException f) {
            e.addSuppressed(f); // fall through to Flyway's own words; the reason it could not say more goes along
        }
        return "schema migration failed: " + e.getMessage();
    }

    private static String lastKnown(MigrationInfo[] all) {
        String v = "none";
        for (MigrationInfo m : all) {
            if (m.getState() != org.flywaydb.core.api.MigrationState.FUTURE_SUCCESS && m.getVersion() != null) {
                v = m.getVersion().getVersion();
            }
        }
        return v;
    }
}
