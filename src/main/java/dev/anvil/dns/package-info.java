/**
 * Authoritative DNS: {@code policy} (zones changed in place, answers, pre-encoded fast path), {@code server}
 * (UDP/TCP, AXFR, NOTIFY, forwarding). Never imports another protocol.
 */
package dev.anvil.dns;
