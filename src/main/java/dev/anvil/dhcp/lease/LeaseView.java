package dev.anvil.dhcp.lease;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv4Range;
import dev.anvil.core.node.MacAddress;
import java.time.Instant;
import java.util.Optional;

/** What the DHCP policy may read of the leases; it never changes them itself. */
public interface LeaseView {
    Optional<Lease> at(Ipv4Address ip);

    /** The lease (in any state) this client last had on the network. */
    Optional<Lease> lastOf(String network, MacAddress mac);

    Optional<Ipv4Address> nextFree(String network, Ipv4Range pool, Instant now);

    /**
     * Whether this server may offer or grant {@code ip} (a pool address): always, unless several instances share the
     * pool and another holds it (doc/scale-out.md).
     */
    default boolean ours(String network, Ipv4Address ip) {
        return true;
    }
}
