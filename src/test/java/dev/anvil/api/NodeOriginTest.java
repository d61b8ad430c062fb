package dev.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who counts as the node itself on the boot listener: its IPv4 reservation or lease, and its derived IPv6 address. */
class NodeOriginTest {
    static final AnvilConfig CFG = new ConfigLoader().embeddedDefault();
    static final Addressing ADDRESSING = new Addressing(0x12_3456_789aL);
    static final NetworkCatalog CATALOG = new NetworkCatalog(CFG.networks());
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    static final MacAddress LEASED_MAC = MacAddress.parse("52:54:00:00:00:02");

    final NodeOrigin origin = new NodeOrigin(
            ip -> ip.equals(Ipv4Address.parse("10.10.0.150"))
                    ? Optional.of(
                            new Lease(ip, LEASED_MAC, "admin", CLOCK.instant().plusSeconds(60), Lease.State.ACTIVE))
                    : Optional.empty(),
            CATALOG,
            ADDRESSING,
            CLOCK);

    static Node node(String name, String mac, String ipv4) {
        return new Node(
                1,
                name,
                List.of(MacAddress.parse(mac)),
                ipv4 == null ? List.of() : List.of(new NodeAddress("admin", Ipv4Address.parse(ipv4))),
                "local",
                Optional.empty(),
                false,
                true,
                NodeState.INSTALLING,
                Instant.EPOCH,
                Instant.EPOCH);
    }

    static Inet6Address derived(String name) {
        Network admin = CATALOG.get("admin").orElseThrow();
        return ADDRESSING.ipv6(admin, name).orElseThrow();
    }

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void theNodesDerivedIpv6AddressCountsAsTheNode() {
        Node n1 = node("n1.cluster.test", "52:54:00:00:00:01", "10.10.0.21");
        assertTrue(origin.isFrom(n1, derived("n1.cluster.test")));
        assertTrue(origin.isFrom(n1, Ipv4Address.parse("10.10.0.21").toInetAddress()), "IPv4 as before");
    }

    @Test
    void anyOtherIpv6AddressIsRefusedAlsoInsideTheServedSlash64() throws Exception {
        Node n1 = node("n1.cluster.test", "52:54:00:00:00:01", "10.10.0.21");
        // Another node's derived address: same /64, not this node.
        assertFalse(origin.isFrom(n1, derived("n2.cluster.test")));
        // Any other host of the /64 (it can pick any address there, but not the one md5(FQDN) gives).
        byte[] b = derived("n1.cluster.test").getAddress();
        b[15] ^= 1;
        assertFalse(origin.isFrom(n1, InetAddress.getByAddress(b)));
        // Outside every served prefix, link-local, loopback.
        assertFalse(origin.isFrom(n1, ip("2001:db8::21")));
        assertFalse(origin.isFrom(n1, ip("fe80::5054:ff:fe00:1")));
        assertFalse(origin.isFrom(n1, ip("::1")));
    }

    @Test
    void aDiscoveredNodeWithNoAddressAnywhereComesFromItsDerivedAddressOnTheLinkItIsOn() throws Exception {
        // Registered by discovery, not admitted: its IPv4 is a pool lease, its IPv6 the derived address on the
        // served /64 its requests come from (what the discovery image takes after registering, and DHCPv6 gives).
        Node pool = node("n3.cluster.test", LEASED_MAC.toString(), null);
        assertTrue(origin.isFrom(pool, derived("n3.cluster.test")));
        assertEquals(Optional.of(derived("n3.cluster.test")), origin.ipv6On(pool, derived("n2.cluster.test")));
        assertTrue(origin.isFrom(pool, Ipv4Address.parse("10.10.0.150").toInetAddress()), "its live lease");
        assertFalse(origin.isFrom(pool, derived("n2.cluster.test")), "another address of the /64");
        assertFalse(origin.isFrom(pool, ip("2001:db8::21")));
        assertEquals(Optional.empty(), origin.ipv6On(pool, ip("2001:db8::21")), "no served /64");
        assertEquals(Optional.empty(), origin.ipv6On(pool, ip("10.10.0.150")), "IPv4");
    }

    @Test
    void aNodeWithAddressesOnOtherNetworksOnlyHasNoDerivedAddressOnThisOne() {
        Node elsewhere = new Node(
                1,
                "n4.cluster.test",
                List.of(MacAddress.parse("52:54:00:00:00:04")),
                List.of(new NodeAddress("lab", Ipv4Address.parse("10.20.0.4"))),
                "local",
                Optional.empty(),
                false,
                true,
                NodeState.INSTALLING,
                Instant.EPOCH,
                Instant.EPOCH);
        assertFalse(origin.isFrom(elsewhere, derived("n4.cluster.test")));
        assertEquals(Optional.empty(), origin.ipv6On(elsewhere, derived("n4.cluster.test")));
    }

    @Test
    void anIpv4MappedSourceIsItsIpv4Address() throws Exception {
        Node n1 = node("n1.cluster.test", "52:54:00:00:00:01", "10.10.0.21");
        byte[] m = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 10, 0, 21};
        assertTrue(origin.isFrom(n1, Inet6Address.getByAddress(null, m, -1)));
        m[15] = 22;
        assertFalse(origin.isFrom(n1, Inet6Address.getByAddress(null, m, -1)));
    }
}
