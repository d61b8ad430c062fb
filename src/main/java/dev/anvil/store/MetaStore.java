package dev.anvil.store;

import java.util.Optional;
import java.util.function.Supplier;

/** Installation-wide values such as the ULA global ID, written once and kept. */
public interface MetaStore {
    Optional<String> get(String key);

    /** The stored value, or {@code initial} stored atomically if there was none (the first writer wins). */
    String getOrInit(String key, Supplier<String> initial);

    /** Forgets the value (nothing happens when there is none). */
    void remove(String key);
}
