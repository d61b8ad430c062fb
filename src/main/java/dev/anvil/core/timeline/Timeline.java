package dev.anvil.core.timeline;

import dev.anvil.core.net.ClientAddress;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.timeline.TimelineEvent.Source;

/**
 * Where protocol code reports an event for the boot timeline. A call must return at once and never block (it
 * runs on packet threads): an implementation queues the event, stamps it with its time, and later finds the node
 * it concerns (by id, else MAC, else IPv4 address, else the node's derived IPv6 address) off the caller's thread;
 * an event for no node is discarded.
 * {@link #NONE} records nothing, so code handed no timeline needs no null check.
 */
public interface Timeline {
    /** Records nothing. */
    Timeline NONE = new Timeline() {
        @Override
        public void record(long nodeId, MacAddress mac, Ipv4Address address, Source source, String event, String d) {
            // nothing: no timeline is kept
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };

    /**
     * Reports an event. {@code nodeId} is the node's id when the caller knows it, else 0; {@code mac} and {@code
     * address} may be null (not known); {@code detail} may be null (none).
     */
    void record(long nodeId, MacAddress mac, Ipv4Address address, Source source, String event, String detail);

    /** False when events are not kept: a caller can skip building their details. */
    default boolean enabled() {
        return true;
    }

    /** An event about the node with this id. */
    default void forNode(long nodeId, Source source, String event, String detail) {
        record(nodeId, null, null, source, event, detail);
    }

    /** An event about whichever node has {@code mac} ({@code address}: the address involved, may be null). */
    default void forMac(MacAddress mac, Ipv4Address address, Source source, String event, String detail) {
        record(0, mac, address, source, event, detail);
    }

    /** An event about whichever node has, or holds a lease on, {@code address}. */
    default void forAddress(Ipv4Address address, Source source, String event, String detail) {
        record(0, null, address, source, event, detail);
    }

    /**
     * An event about whichever node holds {@code address} as its derived IPv6 address (the /64 of the served
     * network holding it + md5 of the node's name, what DHCPv6 gives a node). The default records nothing: only a
     * timeline that can find nodes by IPv6 address keeps these.
     */
    default void forAddress(java.net.Inet6Address address, Source source, String event, String detail) {
        // not kept: this timeline finds nodes by id, MAC and IPv4 address only
    }

    /** An event about the node at a client's source address, in either family (IPv4-mapped counts as IPv4). */
    default void forClient(java.net.InetAddress client, Source source, String event, String detail) {
        java.util.Optional<Ipv4Address> v4 = ClientAddress.ipv4(client);
        if (v4.isPresent()) {
            forAddress(v4.get(), source, event, detail);
        } else {
            ClientAddress.ipv6(client).ifPresent(v6 -> forAddress(v6, source, event, detail));
        }
    }

    /**
     * A timeline whose target is set later (the DHCP server may start before the recorder exists): {@link #NONE}
     * until {@link #to} is called.
     */
    final class Relay implements Timeline {
        private volatile Timeline target = NONE;

        /** From now on, events go to {@code t}. */
        public void to(Timeline t) {
            target = t == null ? NONE : t;
        }

        @Override
        public void record(long nodeId, MacAddress mac, Ipv4Address address, Source source, String event, String d) {
            target.record(nodeId, mac, address, source, event, d);
        }

        @Override
        public void forAddress(java.net.Inet6Address address, Source source, String event, String detail) {
            target.forAddress(address, source, event, detail);
        }

        @Override
        public boolean enabled() {
            return target.enabled();
        }
    }
}
