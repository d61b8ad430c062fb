/**
 * The PostgreSQL backend: the SQL stores of {@link dev.anvil.store.sql} on a database the operator runs,
 * through the PostgreSQL JDBC driver and a HikariCP pool (doc/postgresql.md); {@link
 * dev.anvil.store.pg.PgNodeListener}, the service that {@code LISTEN}s on a connection of its own for the node
 * changes of every instance sharing the database and hands them to a {@link dev.anvil.store.NodeChanges}
 * (doc/scale-out.md; a {@code lifecycle} service with its meters).
 */
package dev.anvil.store.pg;
