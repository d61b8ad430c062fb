package dev.anvil.store.h2;

import dev.anvil.store.StoreException;
import dev.anvil.store.sql.Dialect;
import dev.anvil.store.sql.Jdbc;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The H2 {@link Jdbc}: runs units of work in transactions; backend failures become {@link StoreException},
 * domain errors pass.
 *
 * <p>Durability (issue 23, see {@link H2Store}): write transactions run one at a time (a fair lock held from
 * the first statement to the end of the flush). Each notes its statements ({@link RecordingConnection}),
 * appends them to the {@link RedoLog} with the next sequence number, which the transaction also stores in
 * {@code store_journal}, and only then commits, and ends with a {@code CHECKPOINT}. When {@link #tx} returns,
 * the transaction is in the journal (a kill -9 cannot lose it, even when H2's recovery loses the chunk) and in
 * the database file. When the journal passes {@code rotateBytes}, the database is closed cleanly and opened
 * again (readers wait for that moment), and the journal emptied.
 *
 * <p>Write transactions keep one connection rather than handing it back to H2's pool after each: the pool rolls
 * a returned connection back, and H2 empties a session's parsed-statement cache on every rollback, so each write
 * would parse all its SQL again. Reads still take pooled connections (kept ones measured about 15 % faster on a
 * 30 µs lookup, too little for the bookkeeping).
 */
final class H2Jdbc extends Jdbc {
    private static final Logger log = LoggerFactory.getLogger(H2Jdbc.class);

    /** Opens the database (again, after a rotation). */
    interface Opener {
        JdbcConnectionPool open() throws SQLException;
    }

    private final Opener opener;
    private final RedoLog redo;
    private final long rotateBytes;
    private final String flush;
    private final ReentrantLock writer = new ReentrantLock(true);
    /** Held shared by every unit of work, exclusively while the database is closed and opened again. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

    private volatile JdbcConnectionPool pool;
    /** Only under {@link #writer}: see {@link #writeConnection()}. */
    private Connection writeConnection;

    private long seq;

    /** {@code fsync}: also force each commit to the disk (power-cut durability), not only to the OS. */
    H2Jdbc(JdbcConnectionPool pool, Opener opener, RedoLog redo, long seq, long rotateBytes, boolean fsync) {
        super(Dialect.H2);
        this.pool = pool;
        this.opener = opener;
        this.redo = redo;
        this.seq = seq;
        this.rotateBytes = rotateBytes;
        this.flush = fsync ? "CHECKPOINT SYNC" : "CHECKPOINT";
    }

    /**
     * Runs {@code work} in one READ COMMITTED transaction; commits on return, rolls back on any exception. When
     * it returns, the transaction is journaled and committed (synced with {@code fsync}); a kill -9 after that
     * loses nothing. Write transactions are serialized. {@code work} may not commit or roll back itself.
     */
    @Override
    public <T> T tx(Work<T> work) {
        writer.lock();
        try {
            T result = inTransaction(work);
            if (writer.getHoldCount() == 1 && redo.size() > rotateBytes) {
                rotate();
            }
            return result;
        } catch (IOException e) {
            throw new StoreException("store journal " + redo.file() + ": " + e.getMessage(), e);
        } finally {
            writer.unlock();
        }
    }

    private <T> T inTransaction(Work<T> work) {
        gate.readLock().lock();
        // a transaction begun inside another one's unit of work (the writer lock is reentrant) gets a connection
        // of its own, as it always did
        boolean nested = writer.getHoldCount() > 1;
        Connection c = null;
        try {
            c = nested ? pooled() : writeConnection();
            T result;
            try {
                List<RedoLog.Stmt> done = new ArrayList<>();
                result = work.run(RecordingConnection.wrap(c, done));
                if (done.isEmpty()) {
                    c.commit();
                } else {
                    commitJournaled(c, done);
                }
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            }
            try (Statement s = c.createStatement()) {
                s.execute(flush); // writes the committed version as a chunk now, not at the next store
            }
            c.commit(); // the CHECKPOINT opened a transaction: none stays open on the kept connection between writes
            return result;
        } catch (SQLException e) {
            if (!nested) {
                dropWriteConnection(); // it may be broken: the next transaction takes a fresh one
            }
            throw translate(e);
        } finally {
            if (nested && c != null) {
                closeQuietly(c);
            }
            gate.readLock().unlock();
        }
    }

    private Connection pooled() throws SQLException {
        Connection c = pool.getConnection();
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /**
     * The one connection write transactions use (they run one at a time, under {@link #writer}), kept open
     * between them: a connection handed back to the pool is rolled back, and H2 empties a session's parsed-
     * statement cache on every rollback, so a pooled write parsed every one of its statements again (a fifth of
     * a node create's time, and much of the JIT's work while a boot storm registers its machines).
     */
    private Connection writeConnection() throws SQLException {
        if (writeConnection == null) {
            writeConnection = pooled();
        }
        return writeConnection;
    }

    /** Hands the write connection back (to the pool, which rolls it back): before a close, or when it failed. */
    private void dropWriteConnection() {
        if (writeConnection != null) {
            closeQuietly(writeConnection);
            writeConnection = null;
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing a store connection: {}", e.getMessage());
        }
    }

    private void commitJournaled(Connection c, List<RedoLog.Stmt> done) throws SQLException {
        long next = seq + 1;
        markApplied(c, next);
        try {
            redo.append(next, done);
        } catch (IOException e) {
            throw new StoreException("cannot write the store journal " + redo.file() + ": " + e.getMessage(), e);
        }
        seq = next;
        try {
            c.commit();
        } catch (SQLException e) {
            try {
                redo.abort(next);
            } catch (IOException a) {
                e.addSuppressed(a);
                log.error(
                        "store journal {}: transaction {} failed to commit and could not be marked aborted; a "
                                + "restart after a crash would replay it",
                        redo.file(),
                        next);
            }
            throw e;
        }
    }

    /** Records in the transaction itself which journal entry it is. */
    static void markApplied(Connection c, long seq) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE store_journal SET applied_seq = ? WHERE id = 1")) {
            p.setLong(1, seq);
            if (p.executeUpdate() != 1) {
                throw new SQLException("store_journal has no row");
            }
        }
    }

    /** Closes the database cleanly (everything is then in its file), opens it again and empties the journal. */
    private void rotate() throws IOException {
        long t0 = System.nanoTime();
        long bytes = redo.size();
        gate.writeLock().lock();
        try {
            dropWriteConnection();
            shutdown(pool);
            try {
                pool = opener.open();
            } catch (SQLException e) {
                throw new StoreException("cannot open the store again after closing it: " + e.getMessage(), e);
            }
            redo.reset();
        } finally {
            gate.writeLock().unlock();
        }
        log.info(
                "store journal {}: {} bytes in the database file after a clean close; emptied in {} ms",
                redo.file(),
                bytes,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Closes the database (a clean close needs no recovery) and the journal, emptied when that succeeded. */
    @Override
    public void close() {
        writer.lock();
        gate.writeLock().lock();
        try {
            dropWriteConnection();
            if (shutdown(pool)) {
                redo.reset();
            }
            redo.close();
        } catch (IOException e) {
            log.warn("closing the store journal {}: {}", redo.file(), e.getMessage());
        } finally {
            gate.writeLock().unlock();
            writer.unlock();
        }
    }

    private static boolean shutdown(JdbcConnectionPool p) {
        try (Connection c = p.getConnection();
                Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
            return true;
        } catch (SQLException e) {
            log.warn("store shutdown: {}", e.getMessage());
            return false;
        } finally {
            p.dispose();
        }
    }

    @Override
    public <T> T read(Work<T> work) {
        gate.readLock().lock();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(true);
            return work.run(c);
        } catch (SQLException e) {
            throw translate(e);
        } finally {
            gate.readLock().unlock();
        }
    }
}
