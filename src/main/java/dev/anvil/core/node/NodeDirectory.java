package dev.anvil.core.node;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * An in-memory index of nodes by MAC for the packet paths (DHCP, TFTP), kept current by node events. Events
 * are published synchronously after each commit, so a change is visible to the very next packet.
 */
public final class NodeDirectory implements Consumer<NodeEvent> {
  private final Map<MacAddress, Node> byMac = new ConcurrentHashMap<>();
  private final Map<dev.anvil.core.net.Ipv4Address, Node> byIpv4 = new ConcurrentHashMap<>();
  private final Map<Long, Node> byId = new ConcurrentHashMap<>();

  public NodeDirectory(Collection<Node> initial) {
    initial.forEach(this::index);
  }

  public Optional<Node> byMac(MacAddress mac) {
    return Optional.ofNullable(byMac.get(mac));
  }

  /** The node holding this IPv4 address on any network. */
  public Optional<Node> byIpv4(dev.anvil.core.net.Ipv4Address ip) {
    return Optional.ofNullable(byIpv4.get(ip));
  }

  public Optional<Node> byId(long id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Every node once. */
  public java.util.Collection<Node> all() {
    return java.util.List.copyOf(byId.values());
  }

  public int size() {
    return byMac.size();
  }

  @Override
  public void accept(NodeEvent e) {
    e.before().ifPresent(n -> {
      n.macs().forEach(m -> byMac.remove(m, n));
      n.addresses().forEach(a -> byIpv4.remove(a.ipv4(), n));
      byId.remove(n.id(), n);
    });
    e.after().ifPresent(this::index);
  }

  private void index(Node n) {
    byId.put(n.id(), n);
    n.macs().forEach(m -> byMac.put(m, n));
    n.addresses().forEach(a -> byIpv4.put(a.ipv4(), n));
  }
}
