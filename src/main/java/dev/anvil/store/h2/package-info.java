/**
 * The embedded H2 backend: one database file, Flyway migrations, write transactions serialized and journaled
 * ({@link dev.anvil.store.h2.RedoLog}) so an acknowledged write survives kill -9.
 */
package dev.anvil.store.h2;
