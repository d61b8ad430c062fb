/**
 * The DHCP lease journal: an append-only file in Kea memfile style, compacted by rewrite and rename.
 */
package dev.anvil.store.journal;
