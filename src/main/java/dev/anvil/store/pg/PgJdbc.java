package dev.anvil.store.pg;

import com.zaxxer.hikari.HikariDataSource;
import dev.anvil.store.sql.Dialect;
import dev.anvil.store.sql.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The PostgreSQL {@link Jdbc}: connections from a HikariCP pool; a transaction is durable when its commit
 * returns (the server's WAL, {@code synchronous_commit} on). The write transactions of this process run one at
 * a time, as on H2, so the stores' read-then-write checks (a network's overlap, an address's holder) see every
 * earlier write of this instance; several instances on one database are issue 20's next slice.
 */
final class PgJdbc extends Jdbc {
    private final HikariDataSource pool;
    private final ReentrantLock writer = new ReentrantLock(true);

    PgJdbc(HikariDataSource pool) {
        super(Dialect.POSTGRESQL);
        this.pool = pool;
    }

    @Override
    public <T> T tx(Work<T> work) {
        writer.lock();
        try (Connection c = pool.getConnection()) {
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
        } finally {
            writer.unlock();
        }
    }

    @Override
    public <T> T read(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(true);
            return work.run(c);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
