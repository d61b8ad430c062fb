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
 * <p>Durability: {@code WRITE_DELAY=0} makes H2 write every commit to the file before the commit returns, so
 * a killed process (kill -9) loses nothing it acknowledged; the OS page cache holds it. H2 does not fsync
 * each commit, so a power cut may lose the last commits (PostgreSQL is the backend for that guarantee).
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

  private H2Store(JdbcConnectionPool pool) {
    this.pool = pool;
    Jdbc jdbc = new Jdbc(pool);
    this.networks = new H2NetworkStore(jdbc);
    this.nodes = new H2NodeStore(jdbc);
    this.meta = new H2MetaStore(jdbc);
    this.installTokens = new H2InstallTokenStore(jdbc);
    this.tasks = new H2TaskStore(jdbc);
    this.apiTokens = new H2ApiTokenStore(jdbc);
  }

  /** Opens (creating if needed) the database in {@code stateDir} and brings its schema up to date. */
  public static H2Store open(Path stateDir) {
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
      log.info("store open: {} (schema version {})", stateDir.toAbsolutePath().resolve("anvil.mv.db"), version);
    } catch (SQLException e) {
      pool.dispose();
      throw new StoreException("cannot open the store in " + stateDir + ": " + e.getMessage(), e);
    }
    return new H2Store(pool);
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
