package dev.anvil.store;

/** Whether the store answered a trivial query, and how long it took. */
public record StoreHealth(boolean ok, long micros, String backend, String detail) {}
