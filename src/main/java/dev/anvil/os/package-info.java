/**
 * OS install trees: list them, import an ISO or a directory into one and swap it in atomically.
 */
package dev.anvil.os;
