/**
 * DNS data the operator adds beside what Anvil derives from nodes: {@link dev.anvil.core.dns.DnsRecord} (A,
 * AAAA, CNAME, TXT, SRV at any name inside Anvil's zones) with its validation. Pure: imports only the core.
 */
package dev.anvil.core.dns;
