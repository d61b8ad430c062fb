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
        return new Node(
                id,
                name,
                List.of(MacAddress.parse(mac)),
                List.of(new NodeAddress("admin", Ipv4Address.parse(ip))),
                "local",
                Optional.empty(),
                false,
                true,
                NodeState.READY,
                Instant.EPOCH,
                Instant.EPOCH);
    }

    static final Node A = node(1, "a.test", "52:54:00:00:00:01", "10.0.0.11");
    static final Node B = node(2, "b.test", "52:54:00:00:00:02", "10.0.0.12");
    static final Node B2 = node(2, "b.test", "52:54:00:00:00:22", "10.0.0.12");

    @Test
    void beforeTheLoadTheStoreAnswersByMac() {
        Map<MacAddress, Node> store = Map.of(A.macs().get(0), A);
        NodeDirectory d = NodeDirectory.deferred(mac -> Optional.ofNullable(store.get(mac)), () -> 0);
        assertFalse(d.isLoaded());
        assertEquals(Optional.of(A), d.byMac(A.macs().get(0)));
        assertEquals(Optional.empty(), d.byMac(B.macs().get(0)));
        d.load(() -> List.of(A));
        assertTrue(d.isLoaded());
        assertEquals(Optional.of(A), d.byIpv4(Ipv4Address.parse("10.0.0.11")));
    }

    /** Events published while the load runs are applied after it, in order, whatever the load saw. */
    @Test
    void eventsDuringTheLoadAreAppliedAfterIt() {
        NodeDirectory d = NodeDirectory.deferred(mac -> Optional.empty(), () -> 0);
        d.accept(new NodeEvent(1, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(B)));
        d.accept(new NodeEvent(2, NodeEvent.Kind.UPDATED, Optional.of(B), Optional.of(B2)));
        d.accept(new NodeEvent(3, NodeEvent.Kind.DELETED, Optional.of(A), Optional.empty()));
        d.load(List.of(A, B), 0); // the load read A (deleted since) and B before its change
        assertEquals(List.of(B2), List.copyOf(d.all()));
        assertEquals(Optional.of(B2), d.byMac(B2.macs().get(0)));
        assertEquals(Optional.empty(), d.byMac(B.macs().get(0)), "the MAC B had before its change");
        assertEquals(Optional.empty(), d.byMac(A.macs().get(0)));
        assertThrows(IllegalStateException.class, () -> d.load(List.of(), 3), "loads once");
    }

    @Test
    void aFailedLoadFailsEveryWaiterAtOnce() {
        NodeDirectory d = NodeDirectory.deferred(mac -> Optional.empty(), () -> 0);
        d.failed(new IllegalStateException("disk gone"));
        IllegalStateException e = assertThrows(IllegalStateException.class, d::all);
        assertTrue(e.getMessage().contains("disk gone"), e.getMessage());
    }

    static NodeEvent ev(long v, Optional<Node> before, Optional<Node> after) {
        NodeEvent.Kind k = before.isEmpty()
                ? NodeEvent.Kind.CREATED
                : after.isEmpty() ? NodeEvent.Kind.DELETED : NodeEvent.Kind.UPDATED;
        return new NodeEvent(v, k, before, after);
    }

    /** A late (older) or repeated event for a node never rolls the index back. */
    @Test
    void staleAndDuplicateEventsAreIgnored() {
        NodeDirectory d = new NodeDirectory(List.of());
        d.accept(ev(1, Optional.empty(), Optional.of(B)));
        d.accept(ev(2, Optional.of(B), Optional.of(B2)));
        d.accept(ev(1, Optional.empty(), Optional.of(B))); // duplicate of v1, delivered late
        d.accept(ev(2, Optional.of(B), Optional.of(B2))); // duplicate of v2
        assertEquals(Optional.of(B2), d.byMac(B2.macs().get(0)));
        assertEquals(Optional.empty(), d.byMac(B.macs().get(0)));
        assertEquals(2, d.staleEvents());
        assertEquals(2, d.snapshot().version());
    }

    /** A deleted node keeps its version: an older change delivered after the deletion does not bring it back. */
    @Test
    void aLateChangeDoesNotResurrectADeletedNode() {
        NodeDirectory d = new NodeDirectory(List.of(A));
        d.accept(ev(5, Optional.of(A), Optional.empty()));
        d.accept(ev(4, Optional.of(A), Optional.of(A)));
        assertEquals(List.of(), List.copyOf(d.all()));
        assertEquals(Optional.empty(), d.byIpv4(Ipv4Address.parse("10.0.0.11")));
    }

    /** The load holds every change up to its version: those events are skipped, later ones applied. */
    @Test
    void theLoadsVersionIsAFloor() {
        long[] committed = {7};
        NodeDirectory d = NodeDirectory.deferred(mac -> Optional.empty(), () -> committed[0]);
        d.accept(ev(6, Optional.empty(), Optional.of(B))); // already in what the load reads
        d.accept(ev(8, Optional.of(B), Optional.of(B2)));
        d.load(() -> {
            committed[0] = 9; // a change committed while the store is read: its event is applied after the load
            return List.of(A, B);
        });
        assertEquals(Optional.of(B2), d.byId(2));
        assertEquals(1, d.staleEvents());
        NodeDirectory.Snapshot s = d.snapshot();
        assertEquals(8, s.version());
        assertEquals(2, s.nodes().size());
    }

    /**
     * Creates and deletes of many nodes keep memory bounded: only the last deletions are remembered by id, and an
     * older change to a forgotten deleted node is still stale; a new node's creation still applies.
     */
    @Test
    void churnKeepsBoundedVersionsAndStillRefusesLateChanges() {
        NodeDirectory d = new NodeDirectory(List.of());
        long v = 0;
        int churn = NodeDirectory.TOMBSTONES * 3;
        for (int i = 0; i < churn; i++) {
            Node n = churned(100 + i);
            d.accept(ev(++v, Optional.empty(), Optional.of(n)));
            d.accept(ev(++v, Optional.of(n), Optional.empty()));
        }
        assertTrue(d.rememberedVersions() <= NodeDirectory.TOMBSTONES, "remembered " + d.rememberedVersions());
        assertEquals(0, d.size());
        Node first = churned(100); // deleted at version 2, long forgotten by id
        d.accept(ev(1, Optional.empty(), Optional.of(first)));
        Node last = churned(100 + churn - 1); // deleted last, still remembered by id
        d.accept(ev(v - 1, Optional.empty(), Optional.of(last)));
        assertEquals(0, d.size());
        assertEquals(2, d.staleEvents());
        Node fresh = churned(100 + churn);
        d.accept(ev(++v, Optional.empty(), Optional.of(fresh)));
        assertEquals(Optional.of(fresh), d.byId(fresh.id()));
    }

    private static Node churned(int id) {
        return node(
                id,
                "n" + id + ".test",
                String.format("52:54:00:%02x:%02x:%02x", (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff),
                "10.1." + ((id >> 8) & 0xff) + "." + (id & 0xff));
    }
}
