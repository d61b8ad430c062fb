package dev.anvil.dhcp.lease;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv4Range;
import dev.anvil.core.node.MacAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The in-memory index of every lease: by address, and by (network, MAC) for the address a client last held.
 * Not thread-safe: the DHCP server owns it from its single packet thread, and other threads (the API) ask
 * that thread for a copy.
 */
public final class LeaseBook implements LeaseView {
  private final Map<Ipv4Address, Lease> byIp = new HashMap<>();
  private final Map<String, Lease> byClient = new HashMap<>();
  /** Per network, where the next pool scan starts, so allocation is O(1) amortized. */
  private final Map<String, Long> cursor = new HashMap<>();

  public LeaseBook(Collection<Lease> initial) {
    for (Lease l : initial) {
      put(l);
    }
  }

  private static String key(String network, MacAddress mac) {
    return network + "/" + mac.bits();
  }

  @Override
  public Optional<Lease> at(Ipv4Address ip) {
    return Optional.ofNullable(byIp.get(ip));
  }

  @Override
  public Optional<Lease> lastOf(String network, MacAddress mac) {
    return Optional.ofNullable(byClient.get(key(network, mac)));
  }

  /** Records a lease (offer, grant, release or decline), replacing whatever was known of its address. */
  public void put(Lease l) {
    Lease old = byIp.put(l.ip(), l);
    if (old != null && !old.mac().equals(l.mac())) {
      byClient.remove(key(old.network(), old.mac()), old);
    }
    Lease prev = byClient.put(key(l.network(), l.mac()), l);
    if (prev != null && prev.state() == Lease.State.OFFERED && !prev.ip().equals(l.ip())
        && byIp.get(prev.ip()) == prev) {
      byIp.remove(prev.ip()); // an older offer to this client is void once it gets another address
    }
  }

  /**
   * The next pool address nobody holds at {@code now}: first one that was never leased, scanning on from the
   * last allocation; failing that, the one whose lease ran out longest ago.
   */
  @Override
  public Optional<Ipv4Address> nextFree(String network, Ipv4Range pool, Instant now) {
    long start = pool.start().unsigned();
    long size = pool.size();
    long from = cursor.getOrDefault(network, start);
    if (from < start || from > pool.end().unsigned()) {
      from = start;
    }
    Ipv4Address oldest = null;
    Instant oldestExpiry = null;
    for (long i = 0; i < size; i++) {
      long a = start + ((from - start + i) % size);
      Ipv4Address ip = Ipv4Address.ofUnsigned(a);
      Lease l = byIp.get(ip);
      if (l == null) {
        cursor.put(network, a + 1);
        return Optional.of(ip);
      }
      if (!l.holds(now) && (oldestExpiry == null || l.expires().isBefore(oldestExpiry))) {
        oldest = ip;
        oldestExpiry = l.expires();
      }
    }
    return Optional.ofNullable(oldest);
  }

  public int size() {
    return byIp.size();
  }

  /** A copy of every lease; call it on the owning thread. */
  public List<Lease> all() {
    return new ArrayList<>(byIp.values());
  }
}
