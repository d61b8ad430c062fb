/**
 * The store interfaces (nodes, networks, tasks, tokens, meta, leases, the instances sharing the store) every
 * backend implements, and {@link dev.anvil.store.NodeChanges}, where a store several instances share hands on the
 * node changes it is told of: the SQL stores ({@code store.sql}) on embedded H2 ({@code store.h2}, the default) or
 * PostgreSQL ({@code store.pg}), the lease journal ({@code store.journal}); {@code StoreContract} is the test each
 * backend passes. Imports the core only.
 */
package dev.anvil.store;
