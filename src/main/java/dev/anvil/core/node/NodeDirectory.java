package dev.anvil.core.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * An in-memory index of nodes by MAC for the packet paths (DHCP, TFTP), kept current by node events. Events
 * are published synchronously after each commit, so a change is visible to the very next packet.
 *
 * <p>At start-up the index can be filled in the background ({@link #deferred}): until {@link #load} has run,
 * {@link #byMac} asks the store (an indexed lookup, so DHCP answers known machines from its first packet),
 * the other lookups wait for the load, and events that arrive meanwhile are applied after it, in order.
 */
public final class NodeDirectory implements Consumer<NodeEvent> {
  private static final long LOAD_WAIT_SECONDS = 120;

  private final Map<MacAddress, Node> byMac = new ConcurrentHashMap<>();
  private final Map<dev.anvil.core.net.Ipv4Address, Node> byIpv4 = new ConcurrentHashMap<>();
  private final Map<Long, Node> byId = new ConcurrentHashMap<>();
  private final CountDownLatch loaded = new CountDownLatch(1);
  private volatile Function<MacAddress, Optional<Node>> beforeLoad;
  private List<NodeEvent> pending = new ArrayList<>();
  private volatile Throwable failure;

  /** An index of these nodes, complete at once. */
  public NodeDirectory(Collection<Node> initial) {
    this(mac -> Optional.empty());
    load(initial);
  }

  private NodeDirectory(Function<MacAddress, Optional<Node>> beforeLoad) {
    this.beforeLoad = beforeLoad;
  }

  /** An index filled later by {@link #load}; until then {@code byMacInStore} answers {@link #byMac}. */
  public static NodeDirectory deferred(Function<MacAddress, Optional<Node>> byMacInStore) {
    return new NodeDirectory(byMacInStore);
  }

  /**
   * Until the load, {@link #byMac} asks {@code byMacInStore} instead of what it asked so far (the start-up
   * snapshot answers until the store is open).
   */
  public void beforeLoadAsk(Function<MacAddress, Optional<Node>> byMacInStore) {
    this.beforeLoad = byMacInStore;
  }

  /** Fills the index (once), then applies the events that arrived meanwhile. */
  public void load(Collection<Node> nodes) {
    synchronized (this) {
      if (pending == null) {
        throw new IllegalStateException("the node directory is loaded already");
      }
      nodes.forEach(this::index);
      pending.forEach(this::apply);
      pending = null;
    }
    loaded.countDown();
  }

  /** The load failed: everything waiting for it fails with {@code cause}, at once. */
  public void failed(Throwable cause) {
    failure = cause;
    loaded.countDown();
  }

  public boolean isLoaded() {
    return loaded.getCount() == 0;
  }

  public Optional<Node> byMac(MacAddress mac) {
    if (!isLoaded() || failure != null) {
      return beforeLoad.apply(mac);
    }
    return Optional.ofNullable(byMac.get(mac));
  }

  /** The node holding this IPv4 address on any network. */
  public Optional<Node> byIpv4(dev.anvil.core.net.Ipv4Address ip) {
    awaitLoad();
    return Optional.ofNullable(byIpv4.get(ip));
  }

  public Optional<Node> byId(long id) {
    awaitLoad();
    return Optional.ofNullable(byId.get(id));
  }

  /** Every node once. */
  public java.util.Collection<Node> all() {
    awaitLoad();
    return java.util.List.copyOf(byId.values());
  }

  public int size() {
    awaitLoad();
    return byMac.size();
  }

  @Override
  public void accept(NodeEvent e) {
    if (!isLoaded()) {
      synchronized (this) {
        if (pending != null) {
          pending.add(e);
          return;
        }
      }
    }
    apply(e);
  }

  private void apply(NodeEvent e) {
    e.before().ifPresent(n -> {
      n.macs().forEach(m -> byMac.remove(m, n));
      n.addresses().forEach(a -> byIpv4.remove(a.ipv4(), n));
      byId.remove(n.id(), n);
    });
    e.after().ifPresent(this::index);
  }

  private void awaitLoad() {
    try {
      if (!loaded.await(LOAD_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the node directory did not load within " + LOAD_WAIT_SECONDS + " s");
      }
      if (failure != null) {
        throw new IllegalStateException("the nodes could not be loaded: " + failure.getMessage(), failure);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the node directory loads", e);
    }
  }

  private void index(Node n) {
    byId.put(n.id(), n);
    n.macs().forEach(m -> byMac.put(m, n));
    n.addresses().forEach(a -> byIpv4.put(a.ipv4(), n));
  }
}
