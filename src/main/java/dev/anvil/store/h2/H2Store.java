package dev.anvil.store.h2;

import dev.anvil.store.StoreException;
import dev.anvil.store.sql.Migrations;
import dev.anvil.store.sql.SqlStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
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
 * (H2KillTest found half-created nodes and stale locks on the old code). So {@link H2Jdbc#tx} serializes write
 * transactions and ends each with {@code CHECKPOINT}: no chunk holds half a transaction. That is still not
 * enough: H2's recovery after a kill -9 can miss the newest chunk when it was written into reused space
 * (h2database#4247; KillIT lost an acknowledged node in about half of its 20-kill runs). So every write
 * transaction is also appended to a redo journal ({@link RedoLog}, {@code store.redo}) before it commits, and
 * {@link #open} replays the journaled transactions after the last one the database file holds. With
 * {@code fsync} the journal append and the checkpoint are forced to the disk too (a power cut); the daemon
 * does not use it yet (issue 16).
 */
public final class H2Store extends SqlStore {
    private static final Logger log = LoggerFactory.getLogger(H2Store.class);

    /** The journal is emptied (the database closed cleanly and opened again) when it passes this size. */
    static final long ROTATE_BYTES = 64L << 20;

    private H2Store(H2Jdbc jdbc) {
        super(jdbc);
    }

    /** Opens (creating if needed) the database in {@code stateDir} and brings its schema up to date. */
    public static H2Store open(Path stateDir) {
        return open(stateDir, false, ROTATE_BYTES);
    }

    /**
     * As {@link #open(Path)}; {@code fsync} also forces every commit to the disk (power-cut durability). Replays
     * the transactions of the journal {@code store.redo} that the database file lost in a crash.
     */
    static H2Store open(Path stateDir, boolean fsync, long rotateBytes) {
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new StoreException("cannot create state directory " + stateDir + ": " + e.getMessage(), e);
        }
        String url = "jdbc:h2:file:" + stateDir.toAbsolutePath().resolve("anvil")
                + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE;QUERY_CACHE_SIZE=128";
        H2Jdbc.Opener opener = () -> {
            JdbcConnectionPool p = JdbcConnectionPool.create(url, "anvil", "");
            p.setMaxConnections(32);
            return p;
        };
        Path journal = stateDir.resolve("store.redo");
        long t0 = System.nanoTime();
        long migrationNanos = 0;
        JdbcConnectionPool pool = null;
        RedoLog redo = null;
        try {
            pool = opener.open();
            redo = RedoLog.open(journal, fsync);
            long seq;
            int version;
            try (Connection c = pool.getConnection()) {
                boolean journaled = Migrations.tableExists(c, "STORE_JOURNAL");
                seq = journaled ? Replay.run(c, redo) : 0; // replay on the schema the journal was written for
                long m0 = System.nanoTime();
                version = Migrations.apply(pool);
                migrationNanos = System.nanoTime() - m0;
                if (!journaled) {
                    seq = Replay.run(c, redo);
                }
                try (Statement s = c.createStatement()) {
                    s.execute(fsync ? "CHECKPOINT SYNC" : "CHECKPOINT"); // the migrations' commits, like every other
                }
            }
            log.info(
                    "store open: {} (schema version {}, journal {} at transaction {}) in {} ms, migrations {} ms",
                    stateDir.toAbsolutePath().resolve("anvil.mv.db"),
                    version,
                    journal,
                    seq,
                    (System.nanoTime() - t0) / 1_000_000,
                    migrationNanos / 1_000_000);
            return new H2Store(new H2Jdbc(pool, opener, redo, seq, rotateBytes, fsync));
        } catch (SQLException | IOException | RuntimeException e) {
            if (pool != null) {
                pool.dispose();
            }
            if (redo != null) {
                try {
                    redo.close();
                } catch (IOException c) {
                    e.addSuppressed(c);
                }
            }
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("cannot open the store in " + stateDir + ": " + e.getMessage(), e);
        }
    }
}
