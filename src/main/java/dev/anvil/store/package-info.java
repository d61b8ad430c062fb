/**
 * The store interfaces (nodes, networks, tasks, tokens, meta, leases) every backend implements; {@code
 * StoreContract} is the test each backend passes. Imports the core only.
 */
package dev.anvil.store;
