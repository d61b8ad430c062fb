package dev.anvil.store.pg;

import dev.anvil.store.Store;
import dev.anvil.store.StoreContract;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The store contract on a real PostgreSQL server: one server for the class, a new database per test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgStoreTest extends StoreContract {
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
    protected Store open(Path dir) {
        return server.open(dir, 4);
    }

    @Override
    protected Optional<Store> openPeer(Path dir) {
        return Optional.of(server.open(dir, 4));
    }
}
