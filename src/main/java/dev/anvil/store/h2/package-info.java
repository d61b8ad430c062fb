/**
 * The embedded H2 backend of the SQL stores: one database file, write transactions serialized and journaled
 * ({@link dev.anvil.store.h2.RedoLog}) so an acknowledged write survives kill -9.
 */
package dev.anvil.store.h2;
