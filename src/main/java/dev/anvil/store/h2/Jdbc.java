package dev.anvil.store.h2;

import dev.anvil.core.ConflictException;
import dev.anvil.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Runs units of work in transactions; backend failures become {@link StoreException}, domain errors pass. */
final class Jdbc {
  /** SQLSTATE for a unique or primary key violation, the same on H2 and PostgreSQL. */
  static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;

  Jdbc(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in one READ COMMITTED transaction; commits on return, rolls back on any exception. */
  <T> T tx(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  /** A read-only unit of work in autocommit mode. */
  <T> T read(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      return work.run(c);
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException r) {
      cause.addSuppressed(r);
    }
  }

  /** Maps a violated named constraint to the API field it concerns. */
  private static RuntimeException translate(SQLException e) {
    if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
      String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
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
