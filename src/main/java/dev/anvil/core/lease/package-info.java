/**
 * Addresses and their holders: a DHCP lease as a value ({@link dev.anvil.core.lease.Lease}) and its states;
 * the {@link dev.anvil.core.lease.AddressBook}, the one answer to "who holds this address" across node
 * reservations and leases, with its invariant (one holder per address) and the rules that keep it; {@link
 * dev.anvil.core.lease.LeaseHolds}, the question a store asks before it reserves. Pure: imports only the core.
 */
package dev.anvil.core.lease;
