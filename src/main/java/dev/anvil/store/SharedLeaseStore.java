package dev.anvil.store;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv4Range;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The DHCP leases of several instances on one database (doc/scale-out.md): every instance's leases, and for each
 * pool address its <em>holder</em>, the one instance that may offer it. An address is claimed before it is ever
 * offered (an insert under the table's primary key, or an update of an unheld row with {@code FOR UPDATE SKIP
 * LOCKED}), so two instances never offer one address, even to the same DISCOVER at the same moment. Leases are
 * recorded after they are granted (in batches, behind the instance's own lease journal).
 */
public interface SharedLeaseStore {

    /** One address: the instance that holds it (empty: none), the lease last recorded on it, its change number. */
    record Row(String network, Ipv4Address ip, Optional<String> holder, Optional<Lease> lease, long seq) {}

    /**
     * Claims up to {@code count} addresses of {@code pool} for instance {@code self}: never-claimed ones first
     * (from {@code from} on, wrapping), then ones nobody holds, the longest free first. Returns the rows claimed.
     */
    List<Row> claim(String self, String network, Ipv4Range pool, Ipv4Address from, int count);

    /**
     * Takes over every address held by one of {@code holders} whose heartbeat is older than {@code goneBefore} (or
     * that has none: stopped cleanly), leases and all, for {@code self}; returns the rows taken.
     */
    List<Row> adopt(String self, Collection<String> holders, Instant goneBefore);

    /**
     * Records leases granted, renewed, released or declined by {@code self}: a new address is recorded as held
     * by {@code self}; an address another instance holds is left as it is (that one records it).
     */
    void record(String self, Collection<Lease> leases);

    /**
     * Rows changed after change number {@code after}, oldest first, at most {@code limit}; without those
     * {@code exceptHolder} holds, when given.
     */
    List<Row> changedSince(long after, Optional<String> exceptHolder, int limit);

    /** Gives up {@code self}'s holds on the addresses no lease holds at {@code now} (a clean stop); how many. */
    int release(String self, Instant now);

    /**
     * Says whether {@code self}'s last claim on {@code network}'s pool found no address left: {@code true} records
     * (or refreshes) its want, stamped with the database's clock; {@code false} withdraws it.
     */
    void want(String self, String network, boolean wanting);

    /** The networks whose pool an instance other than {@code self} wanted within the last {@code within}. */
    Set<String> wanted(String self, Duration within);

    /**
     * Gives up {@code self}'s holds on these addresses of {@code network} (unused ones, for an instance that wants
     * them); an address {@code self} does not hold is left as it is. Returns how many were given up.
     */
    int giveBack(String self, String network, Collection<Ipv4Address> ips);
}
