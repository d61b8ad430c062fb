package dev.anvil.dhcp.lease;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv4Range;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every lease, indexed by address and by (network, MAC). Pool addresses live in per-network primitive
 * slot arrays ({@link PoolSlots}); the few others (known nodes' reservations) in a map. Not thread-safe: the
 * DHCP server owns it from its single packet thread, and other threads (the API) ask that thread for a copy.
 */
public final class LeaseBook implements LeaseView {
    private final Function<String, Optional<Network>> networks;
    private final Map<String, PoolSlots> pools = new HashMap<>();
    private final Map<Ipv4Address, Lease> others = new HashMap<>();
    /** Several instances share the pools: only held addresses are offered (doc/scale-out.md). */
    private boolean shared;
    /** Shared and this instance is not sure it is still live to its peers: no pool address is offered. */
    private boolean closed;

    /** {@code networks} tells each network's current pool, so slots follow pool changes. */
    public LeaseBook(Collection<Lease> initial, Function<String, Optional<Network>> networks) {
        this.networks = networks;
        for (Lease l : initial) {
            put(l);
        }
    }

    /** The slots of the network's pool, (re)built when the pool appeared or changed. */
    private PoolSlots pool(String network) {
        PoolSlots p = pools.get(network);
        Optional<Ipv4Range> range = networks.apply(network).flatMap(Network::dhcpPool);
        if (range.isEmpty()) {
            if (p != null) {
                pools.remove(network);
                List<Lease> moved = new ArrayList<>();
                p.addTo(moved);
                moved.forEach(l -> others.put(l.ip(), l));
            }
            return null;
        }
        if (p != null && p.range.equals(range.get())) {
            return p;
        }
        PoolSlots fresh = new PoolSlots(network, range.get());
        if (shared) {
            fresh.share(); // the holds of a changed pool are claimed again
        }
        pools.put(network, fresh);
        List<Lease> carried = new ArrayList<>();
        if (p != null) {
            p.addTo(carried);
        }
        others.values().removeIf(l -> l.network().equals(network) && fresh.contains(l.ip()) && carried.add(l));
        carried.forEach(this::put);
        return fresh;
    }

    @Override
    public Optional<Lease> at(Ipv4Address ip) {
        for (PoolSlots p : pools.values()) {
            if (p.contains(ip)) {
                Lease l = p.at(ip);
                if (l != null) {
                    return Optional.of(l);
                }
            }
        }
        return Optional.ofNullable(others.get(ip));
    }

    @Override
    public Optional<Lease> lastOf(String network, MacAddress mac) {
        PoolSlots p = pool(network);
        return p == null ? Optional.empty() : Optional.ofNullable(p.lastOf(mac));
    }

    /** Records a lease (offer, grant, release or decline), replacing whatever was known of its address. */
    public void put(Lease l) {
        PoolSlots p = pool(l.network());
        if (p != null && p.contains(l.ip())) {
            others.remove(l.ip());
            p.put(l);
        } else {
            others.put(l.ip(), l);
        }
    }

    /**
     * From now on pool addresses are offered only once {@link #hold held}: several instances share the pools
     * through the database, each offering the addresses it claimed there (doc/scale-out.md).
     */
    public void share() {
        shared = true;
        pools.values().forEach(PoolSlots::share);
    }

    /** Shared: whether pool addresses may be offered now (false while this instance may look gone to its peers). */
    public void open(boolean open) {
        closed = !open;
    }

    /** Shared: this instance claimed {@code ip} on {@code network}; it may offer it. */
    public void hold(String network, Ipv4Address ip) {
        PoolSlots p = pool(network);
        if (p != null && p.contains(ip)) {
            p.hold(ip);
        }
    }

    /** Shared: another instance holds {@code ip} now. */
    public void unhold(String network, Ipv4Address ip) {
        PoolSlots p = pool(network);
        if (p != null && p.contains(ip)) {
            p.unhold(ip);
        }
    }

    @Override
    public boolean ours(String network, Ipv4Address ip) {
        if (!shared) {
            return true; // asked on every REQUEST: no pool lookup when one instance has the pools
        }
        PoolSlots p = pool(network);
        return p == null || !p.contains(ip) || p.holds(ip);
    }

    /**
     * Shared: lets go of the held addresses of the network's pool that no live lease or offer holds, all but
     * {@code keep} (never-leased ones kept first); returns those let go, for another instance that wants them.
     */
    public List<Ipv4Address> giveBack(String network, int keep, Instant now) {
        PoolSlots p = pool(network);
        return p == null || !shared ? List.of() : p.giveBack(keep, now.toEpochMilli());
    }

    /** Shared: the held addresses of the network's pool never leased yet (0 without a pool). */
    public int freshHeld(String network) {
        PoolSlots p = pool(network);
        return p == null || !shared ? 0 : p.freshHeld();
    }

    @Override
    public Optional<Ipv4Address> nextFree(String network, Ipv4Range range, Instant now) {
        if (closed) {
            return Optional.empty();
        }
        PoolSlots p = pool(network);
        return p == null ? Optional.empty() : Optional.ofNullable(p.nextFree(now));
    }

    /** A copy of every lease; call it on the owning thread. */
    public List<Lease> all() {
        List<Lease> out = new ArrayList<>(others.values());
        pools.values().forEach(p -> p.addTo(out));
        return out;
    }
}
