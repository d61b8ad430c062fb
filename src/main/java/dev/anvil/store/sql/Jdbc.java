package dev.anvil.store.sql;

import dev.anvil.core.ConflictException;
import dev.anvil.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Runs the SQL stores' units of work in transactions on one backend ({@code H2Jdbc}: serialized, journaled
 * and checkpointed; {@code PgJdbc}: a HikariCP pool); backend failures become {@link StoreException}, domain
 * errors pass.
 */
public abstract class Jdbc {
    /** SQLSTATE for a unique or primary key violation, the same on H2 and PostgreSQL. */
    public static final String UNIQUE_VIOLATION = "23505";

    private final Dialect dialect;

    protected Jdbc(Dialect dialect) {
        this.dialect = dialect;
    }

    /** A unit of work on one connection. */
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    public final Dialect dialect() {
        return dialect;
    }

    /**
     * Runs {@code work} in one READ COMMITTED transaction; commits on return, rolls back on any exception. When
     * it returns the transaction is durable (what that takes is the backend's). Write transactions of one
     * process are serialized. {@code work} may not commit or roll back itself.
     */
    public abstract <T> T tx(Work<T> work);

    /** A read-only unit of work in autocommit mode. */
    public abstract <T> T read(Work<T> work);

    /** Closes the backend cleanly. */
    public abstract void close();

    /** The next id of a table's counter ({@code id_counters}), taken inside the transaction. */
    static long nextId(Connection c, String counter) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE id_counters SET next_id = next_id + 1 WHERE name = ?")) {
            p.setString(1, counter);
            if (p.executeUpdate() != 1) {
                throw new SQLException("no id counter " + counter);
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT next_id - 1 FROM id_counters WHERE name = ?")) {
            p.setString(1, counter);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    protected static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    /** Maps a violated named constraint to the API field it concerns; anything else is a store failure. */
    protected static RuntimeException translate(SQLException e) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
            String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("nodes_name_uq")) {
                return new ConflictException("name", "a node with this name exists");
            }
            if (m.contains("node_macs_pk")) {
                return new ConflictException("macs", "a MAC address belongs to another node");
            }
            if (m.contains("node_addresses_ip_uq")) {
                return new ConflictException("addresses", "the address is held by another node");
            }
            if (m.contains("api_tokens_name_uq")) {
                return new ConflictException("name", "a token with this name exists");
            }
            if (m.contains("networks_pk")) {
                return new ConflictException("name", "a network with this name exists");
            }
            if (m.contains("networks_id_uq")) {
                return new ConflictException("id", "a network with this id exists");
            }
        }
        return new StoreException("store failure: " + e.getMessage(), e);
    }
}
