package dev.anvil.store;

/**
 * Where a store shared by several instances hands on the node changes it is told of (doc/scale-out.md): the
 * PostgreSQL store's listener calls it from its own thread, one call at a time. A change is any committed write
 * to a node or to a row it is built from, by any instance, this one included.
 */
public interface NodeChanges {
    /**
     * Node {@code id} changed in the store (created, changed or deleted). Returns whether this instance had it
     * otherwise (it has it as stored now); false for its own writes, which it has already.
     */
    boolean changed(long id);

    /**
     * Compares every node in the store with this instance's, for the changes no notification told of; returns how
     * many it had otherwise (it has them as stored now), deleted nodes included.
     */
    int resync();
}
