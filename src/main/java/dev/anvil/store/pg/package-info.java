/**
 * The PostgreSQL backend: the SQL stores of {@link dev.anvil.store.sql} on a database the operator runs,
 * through the PostgreSQL JDBC driver and a HikariCP pool (doc/postgresql.md).
 */
package dev.anvil.store.pg;
