package dev.anvil.dns.server;

import dev.anvil.config.DnsConfig;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.dns.policy.ZoneSnapshot;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the current zone snapshot and builds the next one on every node or network change. Queries read
 * the reference and never lock; the SOA serial grows with every change (seconds since the epoch, or one
 * more than the last serial when changes come faster).
 */
public final class DnsZones {
  private final NetworkCatalog networks;
  private final String adminNetwork;
  private final NodeDirectory nodes;
  private final Addressing addressing;
  private final DnsConfig cfg;
  private final Clock clock;
  private final AtomicReference<ZoneSnapshot> current = new AtomicReference<>();
  private volatile Runnable onChange = () -> { };

  public DnsZones(NetworkCatalog networks, String adminNetwork, NodeDirectory nodes, Addressing addressing,
      DnsConfig cfg, Clock clock) {
    this.networks = networks;
    this.adminNetwork = adminNetwork;
    this.nodes = nodes;
    this.addressing = addressing;
    this.cfg = cfg;
    this.clock = clock;
  }

  /** The zones; built by the first {@link #rebuild()} (the server's start), so a daemon's start is not held up. */
  public ZoneSnapshot current() {
    return current.get();
  }

  /** Called after a change has been built (the server sends NOTIFY to the secondaries). */
  void onChange(Runnable r) {
    this.onChange = r;
  }

  public synchronized void rebuild() {
    ZoneSnapshot old = current.get();
    long serial = Math.max(clock.instant().getEpochSecond() & 0xffffffffL, old == null ? 0 : old.serial() + 1);
    current.set(ZoneSnapshot.build(networks.all(), adminNetwork, nodes.all(), addressing, cfg, serial));
    if (old != null) {
      onChange.run();
    }
  }
}
