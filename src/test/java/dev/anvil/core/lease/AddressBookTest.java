package dev.anvil.core.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AddressBookTest {
    static final Instant NOW = Instant.parse("2026-12-05T00:00:00Z");
    static final MacAddress NODE_MAC = MacAddress.parse("52:54:00:00:00:01");
    static final MacAddress OTHER = MacAddress.parse("52:54:00:00:00:02");
    static final Ipv4Address RESERVED = Ipv4Address.parse("10.10.0.42");
    static final Ipv4Address POOL = Ipv4Address.parse("10.10.0.100");

    final Map<Ipv4Address, Lease> leases = new HashMap<>();
    final Node node = new Node(
            1,
            "n1.cluster.test",
            List.of(NODE_MAC),
            List.of(new NodeAddress("admin", RESERVED)),
            "local",
            Optional.empty(),
            false,
            true,
            NodeState.READY,
            NOW,
            NOW);
    final AddressBook book = new AddressBook(
            new NodeDirectory(List.of(node)),
            ip -> Optional.ofNullable(leases.get(ip)),
            () -> new ArrayList<>(leases.values()),
            Clock.fixed(NOW, ZoneOffset.UTC));

    void lease(Ipv4Address ip, MacAddress mac, long seconds, Lease.State state) {
        leases.put(ip, new Lease(ip, mac, "admin", NOW.plusSeconds(seconds), state));
    }

    @Test
    void theReservationIsTheHolderOfItsAddressAndALiveLeaseOfAPoolAddress() {
        lease(POOL, OTHER, 60, Lease.State.ACTIVE);
        assertEquals(
                new AddressBook.Holder.Reserved(node),
                book.holderOf("admin", RESERVED).orElseThrow());
        assertEquals(
                OTHER,
                ((AddressBook.Holder.Leased) book.holderOf("admin", POOL).orElseThrow())
                        .lease()
                        .mac());
        assertTrue(book.holderOf("other-net", POOL).isEmpty(), "a network's addresses are its own");
        lease(POOL, OTHER, -1, Lease.State.ACTIVE);
        assertTrue(book.holderOf("admin", POOL).isEmpty(), "an expired lease holds nothing");
    }

    @Test
    void anotherMacsLiveLeaseOnAReservedAddressIsAConflictAndTheNodesOwnIsNot() {
        assertTrue(book.conflicts().isEmpty());
        lease(RESERVED, NODE_MAC, 600, Lease.State.ACTIVE);
        assertTrue(book.conflicts().isEmpty(), "the node's own lease of its reservation");
        assertTrue(book.otherThan("admin", RESERVED, node.macs()).isEmpty());
        lease(RESERVED, OTHER, 600, Lease.State.ACTIVE);
        List<AddressBook.Conflict> c = book.conflicts();
        assertEquals(1, c.size());
        assertEquals(node, c.get(0).node());
        assertTrue(
                c.get(0).toString().contains("reserved for node n1.cluster.test"),
                c.get(0).toString());
        assertEquals(
                OTHER,
                book.otherThan("admin", RESERVED, node.macs()).orElseThrow().mac());
        lease(RESERVED, OTHER, 600, Lease.State.RELEASED);
        assertTrue(book.conflicts().isEmpty(), "a released lease holds nothing");
    }

    @Test
    void theDhcpRuleYieldsOnlyToAnotherMacsLiveLeaseOnTheSameNetwork() {
        Lease other = new Lease(RESERVED, OTHER, "admin", NOW.plusSeconds(5), Lease.State.OFFERED);
        assertTrue(AddressBook.yields(Optional.of(other), List.of(NODE_MAC), "admin", NOW));
        assertFalse(AddressBook.yields(Optional.of(other), List.of(NODE_MAC), "admin", NOW.plusSeconds(5)));
        assertFalse(AddressBook.yields(Optional.of(other), List.of(NODE_MAC, OTHER), "admin", NOW));
        assertFalse(AddressBook.yields(Optional.of(other), List.of(NODE_MAC), "far", NOW));
        assertFalse(AddressBook.yields(Optional.empty(), List.of(NODE_MAC), "admin", NOW));
    }
}
