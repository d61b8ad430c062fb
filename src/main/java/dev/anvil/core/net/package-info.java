/**
 * Addresses and networks: IPv4 values, CIDRs, ranges, the ULA prefix and the md5(FQDN) interface ID, {@link
 * dev.anvil.core.net.Network} and the live {@link dev.anvil.core.net.NetworkCatalog}.
 */
package dev.anvil.core.net;
