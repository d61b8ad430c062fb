package dev.anvil.core.lease;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import java.time.Instant;

/**
 * A DHCP lease: who holds (or last held) an address, until when, and in what state. OFFERED leases exist in
 * memory only (an offer reserves its address for a short while); the others are persisted.
 */
public record Lease(Ipv4Address ip, MacAddress mac, String network, Instant expires, State state) {

    public enum State {
        /** Offered, not yet requested; never persisted. */
        OFFERED,
        /**
         * Acknowledged and in force until {@code expires} (a binding): an OFFER to its holder (a re-DISCOVER)
         * leaves it as it is, RFC 2131 §4.3.1.
         */
        ACTIVE,
        /** Given back by the client; the MAC keeps first claim on the address while it stays free. */
        RELEASED,
        /** The client found the address in use (DHCPDECLINE); quarantined until {@code expires}. */
        DECLINED
    }

    /** True if the address is spoken for at {@code now}: an unexpired offer, lease or quarantine. */
    public boolean holds(Instant now) {
        return state != State.RELEASED && expires.isAfter(now);
    }
}
