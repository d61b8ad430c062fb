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

  public NodeDirectory(Collection<Node> initial) {
    initial.forEach(this::index);
  }

  public Optional<Node> byMac(MacAddress mac) {
    return Optional.ofNullable(byMac.get(mac));
  }

  public int size() {
    return byMac.size();
  }

  @Override
  public void accept(NodeEvent e) {
    e.before().ifPresent(n -> n.macs().forEach(m -> byMac.remove(m, n)));
    e.after().ifPresent(this::index);
  }

  private void index(Node n) {
    n.macs().forEach(m -> byMac.put(m, n));
  }
}
