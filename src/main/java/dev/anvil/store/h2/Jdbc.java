package dev.anvil.store.h2;

import dev.anvil.core.ConflictException;
import dev.anvil.store.StoreException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * Runs units of work in transactions; backend failures become {@link StoreException}, domain errors pass.
 *
 * <p>Durability (issue 23, see {@link H2Store}): write transactions run one at a time (a fair lock held from
 * the first statement to the end of the flush). Each notes its statements ({@link RecordingConnection}),
 * appends them to the {@link RedoLog} with the next sequence number, which the transaction also stores in
 * {@code store_journal}, and only then commits, and ends with a {@code CHECKPOINT}. When {@link #tx} returns,
 * the transaction is in the journal (a kill -9 cannot lose it, even when H2's recovery loses the chunk) and in
 * the database file. When the journal passes {@code rotateBytes}, the database is closed cleanly and opened
 * again (readers wait for that moment), and the journal emptied.
 */
final class Jdbc {
    private static final Logger log = LoggerFactory.getLogger(Jdbc.class);
    /** SQLSTATE for a unique or primary key violation, the same on H2 and PostgreSQL. */
    static final String UNIQUE_VIOLATION = "23505";

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
    private long seq;

    /** {@code fsync}: also force each commit to the disk (power-cut durability), not only to the OS. */
    Jdbc(JdbcConnectionPool pool, Opener opener, RedoLog redo, long seq, long rotateBytes, boolean fsync) {
        this.pool = pool;
        this.opener = opener;
        this.redo = redo;
        this.seq = seq;
        this.rotateBytes = rotateBytes;
        this.flush = fsync ? "CHECKPOINT SYNC" : "CHECKPOINT";
    }

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one READ COMMITTED transaction; commits on return, rolls back on any exception. When
     * it returns, the transaction is journaled and committed (synced with {@code fsync}); a kill -9 after that
     * loses nothing. Write transactions are serialized. {@code work} may not commit or roll back itself.
     */
    <T> T tx(Work<T> work) {
        writer.lock();
        try {
            T result = inTransaction(work);
            if (redo.size() > rotateBytes) {
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
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
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
            return result;
        } catch (SQLException e) {
            throw translate(e);
        } finally {
            gate.readLock().unlock();
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

    /** Closes the database cleanly (everything is then in its file), opens it again and empties the journal. */
    private void rotate() throws IOException {
        long t0 = System.nanoTime();
        long bytes = redo.size();
        gate.writeLock().lock();
        try {
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
    void close() {
        writer.lock();
        gate.writeLock().lock();
        try {
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

    /** A read-only unit of work in autocommit mode. */
    <T> T read(Work<T> work) {
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
