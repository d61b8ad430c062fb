package dev.anvil.dhcp.lease;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv4Range;
import dev.anvil.core.node.MacAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The leases of one network's DHCP pool in parallel primitive arrays, one slot per address: no object per
 * lease, so a pool of 60,000 busy addresses costs the garbage collector nothing.
 */
final class PoolSlots {
    private static final long NONE = -1L;
    private static final Lease.State[] STATES = Lease.State.values();

    final String network;
    final Ipv4Range range;
    private final long start;
    private final long[] mac;
    private final long[] expiresMillis;
    private final byte[] state;
    private final MacIndex byMac;
    private int cursor;
    /** Shared pools (doc/scale-out.md): null while every slot is this instance's; else 1 for the slots it holds. */
    private byte[] held;
    /** Shared pools: held slots that had no lease when claimed, oldest claim first (a ring; stale ones skipped). */
    private int[] fresh;

    private int freshHead;
    private int freshCount;
    /**
     * Shared, nothing fresh: when the held slots may next be searched for one whose lease ended (epoch ms). A search
     * walks the whole pool, so a search that found nothing waits {@value #SEARCH_PAUSE_MS} ms, unless an address
     * is held anew or given back meanwhile.
     */
    private long searchAfter;

    static final long SEARCH_PAUSE_MS = 100;

    PoolSlots(String network, Ipv4Range range) {
        this.network = network;
        this.range = range;
        this.start = range.start().unsigned();
        int size = (int) Math.min(range.size(), 1 << 24);
        this.mac = new long[size];
        this.expiresMillis = new long[size];
        this.state = new byte[size];
        this.byMac = new MacIndex(Math.min(size, 1 << 16));
        Arrays.fill(mac, NONE);
    }

    int size() {
        return mac.length;
    }

    boolean contains(Ipv4Address ip) {
        long off = ip.unsigned() - start;
        return off >= 0 && off < mac.length;
    }

    private int slot(Ipv4Address ip) {
        return (int) (ip.unsigned() - start);
    }

    Lease lease(int slot) {
        return mac[slot] == NONE
                ? null
                : new Lease(
                        Ipv4Address.ofUnsigned(start + slot),
                        new MacAddress(mac[slot]),
                        network,
                        Instant.ofEpochMilli(expiresMillis[slot]),
                        STATES[state[slot]]);
    }

    Lease at(Ipv4Address ip) {
        return lease(slot(ip));
    }

    Lease lastOf(MacAddress m) {
        int s = byMac.get(m.bits());
        return s < 0 ? null : lease(s);
    }

    void put(Lease l) {
        int s = slot(l.ip());
        long m = l.mac().bits();
        if (mac[s] != NONE && mac[s] != m) {
            byMac.remove(mac[s], s);
        }
        int prev = byMac.get(m);
        if (prev >= 0 && prev != s && state[prev] == Lease.State.OFFERED.ordinal()) {
            mac[prev] = NONE; // an older offer to this client is void once it gets another address
        }
        if (held != null && held[s] != 0 && (l.state() == Lease.State.RELEASED || l.state() == Lease.State.DECLINED)) {
            searchAfter = 0; // given back (or quarantined, which ends): worth a search again
        }
        mac[s] = m;
        expiresMillis[s] = l.expires().toEpochMilli();
        state[s] = (byte) l.state().ordinal();
        byMac.put(m, s);
    }

    private boolean holds(int s, long nowMillis) {
        return mac[s] != NONE && state[s] != Lease.State.RELEASED.ordinal() && expiresMillis[s] > nowMillis;
    }

    /** From now on only the slots {@link #hold held} are offered (several instances share the pool). */
    void share() {
        if (held == null) {
            held = new byte[mac.length];
            fresh = new int[mac.length];
        }
    }

    /** Shared: this instance may offer the address (it claimed it in the database). */
    void hold(Ipv4Address ip) {
        int s = slot(ip);
        if (held[s] == 0) {
            held[s] = 1;
            searchAfter = 0;
            if (mac[s] == NONE && freshCount < fresh.length) {
                fresh[(freshHead + freshCount++) % fresh.length] = s;
            }
        }
    }

    /** Shared: another instance holds the address now. */
    void unhold(Ipv4Address ip) {
        held[slot(ip)] = 0;
    }

    boolean holds(Ipv4Address ip) {
        return held == null || held[slot(ip)] != 0;
    }

    /** Shared: held addresses never leased yet, still to offer (the refill watermark). */
    int freshHeld() {
        dropStale();
        return freshCount;
    }

    /**
     * Shared: stops holding the held addresses no live lease (or offer) holds, all but {@code keep} of them (the
     * never-leased ones claimed first are kept first), and returns the addresses let go: another instance wants
     * them.
     */
    List<Ipv4Address> giveBack(int keep, long nowMillis) {
        dropStale();
        int[] kept = new int[keep];
        int k = 0;
        for (int i = 0; i < freshCount && k < keep; i++) {
            int s = fresh[(freshHead + i) % fresh.length];
            if (held[s] != 0 && mac[s] == NONE) {
                kept[k++] = s;
            }
        }
        int keptFresh = k;
        int[] lookup = Arrays.copyOf(kept, keptFresh); // kept stays in claim order: the new fresh ring
        Arrays.sort(lookup);
        List<Ipv4Address> out = new java.util.ArrayList<>();
        for (int s = 0; s < mac.length; s++) {
            if (held[s] == 0 || holds(s, nowMillis) || Arrays.binarySearch(lookup, s) >= 0) {
                continue;
            }
            if (k < keep) {
                k++; // an address whose lease ended, kept while fewer than keep are
            } else {
                held[s] = 0;
                out.add(Ipv4Address.ofUnsigned(start + s));
            }
        }
        System.arraycopy(kept, 0, fresh, 0, keptFresh);
        freshHead = 0;
        freshCount = keptFresh;
        return out;
    }

    private void dropStale() {
        while (freshCount > 0 && (held[fresh[freshHead]] == 0 || mac[fresh[freshHead]] != NONE)) {
            freshHead = freshHead + 1 == fresh.length ? 0 : freshHead + 1;
            freshCount--;
        }
    }

    /**
     * A never-leased address from the cursor on; else the one whose lease ended longest ago; else none. Shared:
     * only among the held slots, the fresh ones first.
     */
    Ipv4Address nextFree(Instant now) {
        long nowMillis = now.toEpochMilli();
        if (held != null) {
            dropStale();
            if (freshCount > 0) {
                return Ipv4Address.ofUnsigned(start + fresh[freshHead]);
            }
            if (nowMillis < searchAfter) {
                return null;
            }
            int oldest = -1;
            for (int s = 0; s < mac.length; s++) {
                if (held[s] != 0
                        && !holds(s, nowMillis)
                        && (oldest < 0 || mac[s] == NONE || expiresMillis[s] < expiresMillis[oldest])) {
                    oldest = s;
                    if (mac[s] == NONE) {
                        break;
                    }
                }
            }
            if (oldest < 0) {
                searchAfter = nowMillis + SEARCH_PAUSE_MS;
                return null;
            }
            return Ipv4Address.ofUnsigned(start + oldest);
        }
        int n = mac.length;
        int oldest = -1;
        for (int i = 0; i < n; i++) {
            int s = cursor + i;
            if (s >= n) {
                s -= n;
            }
            if (mac[s] == NONE) {
                cursor = s + 1 == n ? 0 : s + 1;
                return Ipv4Address.ofUnsigned(start + s);
            }
            if (!holds(s, nowMillis) && (oldest < 0 || expiresMillis[s] < expiresMillis[oldest])) {
                oldest = s;
            }
        }
        return oldest < 0 ? null : Ipv4Address.ofUnsigned(start + oldest);
    }

    void addTo(List<Lease> out) {
        for (int s = 0; s < mac.length; s++) {
            if (mac[s] != NONE) {
                out.add(lease(s));
            }
        }
    }
}
