package dev.anvil.store;

import dev.anvil.store.pg.PostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** {@link BmcStoreTest} on a real PostgreSQL server: one server for the class, a database per test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgBmcStoreTest extends BmcStoreTest {
    private PostgresServer server;

    @BeforeAll
    void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }

    @Override
    Store open(Path dir) {
        return server.open(dir, 2);
    }
}
