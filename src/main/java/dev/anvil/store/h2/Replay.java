package dev.anvil.store.h2;

import dev.anvil.store.StoreException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the database file up to the {@link RedoLog} at open: every journaled transaction after the one the
 * file holds ({@code store_journal.applied_seq}) runs again, in order, each in its own transaction that also
 * records its sequence number. The file's state is always a prefix of the journaled history (H2 recovers to a
 * consistent version, and write transactions are serialized), so the same statements give the same rows.
 */
final class Replay {
    private static final Logger log = LoggerFactory.getLogger(Replay.class);

    private Replay() {}

    /** Replays what the file lacks; returns the sequence number the next transaction follows. */
    static long run(Connection c, RedoLog redo) throws SQLException, IOException {
        long applied = appliedSeq(c);
        long[] last = {applied};
        int[] replayed = {0};
        long t0 = System.nanoTime();
        c.setAutoCommit(false);
        try {
            redo.forEach(e -> {
                if (e.seq() <= applied) {
                    return;
                }
                long expected = last[0] + 1;
                while (redo.aborted(expected)) {
                    expected++;
                }
                if (e.seq() != expected) {
                    throw new StoreException(
                            "the store journal " + redo.file() + " does not follow on from the database "
                                    + "file: it holds transaction " + e.seq() + " next, the file ends at " + last[0]
                                    + " (a database "
                                    + "restored without removing the journal?). "
                                    + "Move the journal aside to start without it",
                            null);
                }
                try {
                    for (RedoLog.Stmt s : e.statements()) {
                        execute(c, s);
                    }
                    H2Jdbc.markApplied(c, e.seq());
                    c.commit();
                } catch (SQLException x) {
                    rollback(c, x);
                    throw new StoreException(
                            "cannot replay transaction " + e.seq() + " of the store journal " + redo.file()
                                    + " (" + x.getMessage()
                                    + "): the database file and the journal disagree. Move the journal aside "
                                    + "to start without it; the transactions in it after " + applied + " are then lost",
                            x);
                }
                last[0] = e.seq();
                replayed[0]++;
            });
        } finally {
            c.setAutoCommit(true);
        }
        if (replayed[0] > 0) {
            log.warn(
                    "store: replayed {} transactions ({} to {}) from {} that the database file did not hold (after a "
                            + "crash), in {} ms",
                    replayed[0],
                    applied + 1,
                    last[0],
                    redo.file(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
        return Math.max(last[0], redo.lastSeq());
    }

    private static long appliedSeq(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT applied_seq FROM store_journal WHERE id = 1")) {
            if (!rs.next()) {
                throw new SQLException("store_journal has no row");
            }
            return rs.getLong(1);
        }
    }

    private static void execute(Connection c, RedoLog.Stmt s) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(s.sql())) {
            for (int i = 0; i < s.params().size(); i++) {
                p.setObject(i + 1, s.params().get(i));
            }
            p.execute();
        }
    }

    private static void rollback(Connection c, SQLException cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }
}
