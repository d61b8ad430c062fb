package dev.anvil.store.h2;

import dev.anvil.store.Store;
import dev.anvil.store.StoreContract;
import java.nio.file.Path;

class H2StoreTest extends StoreContract {
    @Override
    protected Store open(Path dir) {
        return H2Store.open(dir);
    }
}
