package dev.anvil.store.h2;

import dev.anvil.store.MetaStore;
import dev.anvil.store.NetworkStore;
import dev.anvil.store.NodeStore;
import dev.anvil.store.Store;
import dev.anvil.store.StoreException;
import dev.anvil.store.StoreHealth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded H2 store: one database file {@code anvil.mv.db} in the state directory.
 *
 * <p>Durability (issue 23): a write acknowledged by the store survives a kill -9. {@code WRITE_DELAY=0} alone
 * does not give that in H2 2.x: it only turns off the MVStore background writer and asks for a chunk write at
 * the end of each transaction, and with concurrent writers a chunk can be written while another transaction
 * is half done (its uncommitted rows and undo log on disk), or that request can be skipped because another
 * thread moved the version on; after a SIGKILL the recovery then rolls back or half-applies transactions
 * (H2KillTest found half-created nodes and stale locks on the old code). So {@link Jdbc#tx} serializes write
 * transactions and ends each with {@code CHECKPOINT}: when it returns, the commit is in the file (the OS page
 * cache) and no chunk holds half a transaction. With {@code fsync} it ends with {@code CHECKPOINT SYNC}
 * instead, which also survives a power cut (see doc/benchmarks.md for the cost); the daemon does not use it
 * (PostgreSQL is the backend for that guarantee).
 */
public final class H2Store implements Store {
  private static final Logger log = LoggerFactory.getLogger(H2Store.class);

  private final JdbcConnectionPool pool;
  private final H2NetworkStore networks;
  private final H2NodeStore nodes;
  private final H2MetaStore meta;
  private final H2InstallTokenStore installTokens;
  private final H2TaskStore tasks;
  private final H2ApiTokenStore apiTokens;

  private H2Store(JdbcConnectionPool pool, boolean fsync) {
    this.pool = pool;
    Jdbc jdbc = new Jdbc(pool, fsync);
    this.networks = new H2NetworkStore(jdbc);
    this.nodes = new H2NodeStore(jdbc);
    this.meta = new H2MetaStore(jdbc);
    this.installTokens = new H2InstallTokenStore(jdbc);
    this.tasks = new H2TaskStore(jdbc);
    this.apiTokens = new H2ApiTokenStore(jdbc);
  }

  /** Opens (creating if needed) the database in {@code stateDir} and brings its schema up to date. */
  public static H2Store open(Path stateDir) {
    return open(stateDir, false);
  }

  /** As {@link #open(Path)}; {@code fsync} also forces every commit to the disk (power-cut durability). */
  static H2Store open(Path stateDir, boolean fsync) {
    try {
      Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new StoreException("cannot create state directory " + stateDir + ": " + e.getMessage(), e);
    }
    String url = "jdbc:h2:file:" + stateDir.toAbsolutePath().resolve("anvil")
        + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE";
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "anvil", "");
    pool.setMaxConnections(32);
    try (Connection c = pool.getConnection()) {
      int version = Migrations.apply(c);
      try (Statement s = c.createStatement()) {
        s.execute(fsync ? "CHECKPOINT SYNC" : "CHECKPOINT"); // the migrations' commits, like every other
      }
      log.info("store open: {} (schema version {})", stateDir.toAbsolutePath().resolve("anvil.mv.db"), version);
    } catch (SQLException e) {
      pool.dispose();
      throw new StoreException("cannot open the store in " + stateDir + ": " + e.getMessage(), e);
    }
    return new H2Store(pool, fsync);
  }

  @Override
  public NetworkStore networks() {
    return networks;
  }

  @Override
  public NodeStore nodes() {
    return nodes;
  }

  @Override
  public dev.anvil.store.InstallTokenStore installTokens() {
    return installTokens;
  }

  @Override
  public dev.anvil.store.TaskStore tasks() {
    return tasks;
  }

  @Override
  public dev.anvil.store.ApiTokenStore apiTokens() {
    return apiTokens;
  }

  @Override
  public MetaStore meta() {
    return meta;
  }

  @Override
  public StoreHealth health() {
    long t0 = System.nanoTime();
    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT 1")) {
      rs.next();
      return new StoreHealth(true, (System.nanoTime() - t0) / 1000, "h2", "ok");
    } catch (SQLException | RuntimeException e) {
      return new StoreHealth(false, (System.nanoTime() - t0) / 1000, "h2", String.valueOf(e.getMessage()));
    }
  }

  /** Closes the database cleanly (a checkpoint, so the next open needs no recovery). */
  @Override
  public void close() {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("SHUTDOWN");
    } catch (SQLException e) {
      log.warn("store shutdown: {}", e.getMessage());
    } finally {
      pool.dispose();
    }
  }
}
