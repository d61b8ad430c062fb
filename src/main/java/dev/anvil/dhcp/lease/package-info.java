/**
 * The lease book: every dynamic lease in primitive arrays per pool, indexed by MAC; read-only views for the
 * decision.
 */
package dev.anvil.dhcp.lease;
