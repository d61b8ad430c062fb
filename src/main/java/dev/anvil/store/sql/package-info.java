/**
 * The stores in SQL, one implementation for H2 and PostgreSQL: {@link dev.anvil.store.sql.SqlStore} over a
 * backend's {@link dev.anvil.store.sql.Jdbc} (transactions, durability) and
 * {@link dev.anvil.store.sql.Dialect} (upsert), the schema from Flyway's {@code db/} scripts
 * ({@link dev.anvil.store.sql.Migrations}, PostgreSQL twins in {@code db-postgresql/}).
 */
package dev.anvil.store.sql;
