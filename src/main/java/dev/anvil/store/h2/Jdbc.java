package dev.anvil.store.h2;

import dev.anvil.core.ConflictException;
import dev.anvil.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Runs units of work in transactions; backend failures become {@link StoreException}, domain errors pass.
 *
 * <p>Durability (issue 23, see {@link H2Store}): write transactions run one at a time (a fair lock held from
 * the first statement to the end of the flush), and each ends with a {@code CHECKPOINT} (or {@code CHECKPOINT
 * SYNC}) on its own connection, so when {@link #tx} returns its commit is in a chunk the file holds, and no
 * chunk is ever written while another write transaction is half done.
 */
final class Jdbc {
  /** SQLSTATE for a unique or primary key violation, the same on H2 and PostgreSQL. */
  static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;
  private final String flush;
  private final ReentrantLock writer = new ReentrantLock(true);

  /** {@code fsync}: also force each commit to the disk (power-cut durability), not only to the OS. */
  Jdbc(DataSource dataSource, boolean fsync) {
    this.dataSource = dataSource;
    this.flush = fsync ? "CHECKPOINT SYNC" : "CHECKPOINT";
  }

  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one READ COMMITTED transaction; commits on return, rolls back on any exception. When
   * it returns, the commit is written to the database file (and synced with {@code fsync}); a kill -9 after
   * that loses nothing. Write transactions are serialized.
   */
  <T> T tx(Work<T> work) {
    writer.lock();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      T result;
      try {
        result = work.run(c);
        c.commit();
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c, e);
        throw e;
      }
      try (Statement s = c.createStatement()) {
        s.execute(flush); // writes the committed version as a chunk now, not at the next store
      }
      return result;
    } catch (SQLException e) {
      throw translate(e);
    } finally {
      writer.unlock();
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
