package dev.anvil.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.net.Ipv4Address;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The node index loaded in the background: the store answers by MAC until then, and no event is lost. */
class NodeDirectoryTest {
  static Node node(long id, String name, String mac, String ip) {
    return new Node(id, name, List.of(MacAddress.parse(mac)), List.of(new NodeAddress("admin",
        Ipv4Address.parse(ip))), "local", Optional.empty(), false, true, NodeState.READY, Instant.EPOCH,
        Instant.EPOCH);
  }

  static final Node A = node(1, "a.test", "52:54:00:00:00:01", "10.0.0.11");
  static final Node B = node(2, "b.test", "52:54:00:00:00:02", "10.0.0.12");
  static final Node B2 = node(2, "b.test", "52:54:00:00:00:22", "10.0.0.12");

  @Test
  void beforeTheLoadTheStoreAnswersByMac() {
    Map<MacAddress, Node> store = Map.of(A.macs().get(0), A);
    NodeDirectory d = NodeDirectory.deferred(mac -> Optional.ofNullable(store.get(mac)));
    assertFalse(d.isLoaded());
    assertEquals(Optional.of(A), d.byMac(A.macs().get(0)));
    assertEquals(Optional.empty(), d.byMac(B.macs().get(0)));
    d.load(List.of(A));
    assertTrue(d.isLoaded());
    assertEquals(Optional.of(A), d.byIpv4(Ipv4Address.parse("10.0.0.11")));
  }

  /** Events published while the load runs are applied after it, in order, whatever the load saw. */
  @Test
  void eventsDuringTheLoadAreAppliedAfterIt() {
    NodeDirectory d = NodeDirectory.deferred(mac -> Optional.empty());
    d.accept(new NodeEvent(NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(B)));
    d.accept(new NodeEvent(NodeEvent.Kind.UPDATED, Optional.of(B), Optional.of(B2)));
    d.accept(new NodeEvent(NodeEvent.Kind.DELETED, Optional.of(A), Optional.empty()));
    d.load(List.of(A, B)); // the load read A (deleted since) and B before its change
    assertEquals(List.of(B2), List.copyOf(d.all()));
    assertEquals(Optional.of(B2), d.byMac(B2.macs().get(0)));
    assertEquals(Optional.empty(), d.byMac(B.macs().get(0)), "the MAC B had before its change");
    assertEquals(Optional.empty(), d.byMac(A.macs().get(0)));
    assertThrows(IllegalStateException.class, () -> d.load(List.of()), "loads once");
  }

  @Test
  void aFailedLoadFailsEveryWaiterAtOnce() {
    NodeDirectory d = NodeDirectory.deferred(mac -> Optional.empty());
    d.failed(new IllegalStateException("disk gone"));
    IllegalStateException e = assertThrows(IllegalStateException.class, d::all);
    assertTrue(e.getMessage().contains("disk gone"), e.getMessage());
  }
}
