package dev.anvil.core.dns;

/**
 * A committed change to the operator's DNS records, in commit order.
 *
 * @param added true when {@code record} was added, false when it was deleted
 * @param record the record
 */
public record DnsRecordEvent(boolean added, DnsRecord record) {}
