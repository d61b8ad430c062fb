package dev.anvil.dns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.node.NodeEvents;
import dev.anvil.core.node.NodeState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** Node events into the zones: only newer versions apply; the serial follows at most once a second. */
class DnsZonesTest {
    static final AnvilConfig CFG = new ConfigLoader().embeddedDefault();
    static final Addressing ADDRESSING = new Addressing(0x123456789aL);

    /** The clock, the one true edge here: mocked (Mockito), moved by the test. */
    Instant now = Instant.parse("2026-12-04T12:00:00Z");

    final Clock clock = mock(Clock.class);

    {
        when(clock.instant()).thenAnswer(i -> now);
        when(clock.millis()).thenAnswer(i -> now.toEpochMilli());
        when(clock.getZone()).thenReturn(ZoneOffset.UTC);
    }

    void advanceMillis(long ms) {
        now = now.plusMillis(ms);
    }

    final List<Runnable> scheduled = new ArrayList<>();
    int notifies;

    static Node node(long id, String name, String ip) {
        return new Node(
                id,
                name,
                List.of(MacAddress.parse(String.format("52:54:00:00:00:%02x", id))),
                List.of(new NodeAddress("admin", Ipv4Address.parse(ip))),
                "local",
                Optional.empty(),
                false,
                true,
                NodeState.READY,
                Instant.EPOCH,
                Instant.EPOCH);
    }

    static NodeEvent ev(long v, Node before, Node after) {
        NodeEvent.Kind k = before == null
                ? NodeEvent.Kind.CREATED
                : after == null ? NodeEvent.Kind.DELETED : NodeEvent.Kind.UPDATED;
        return new NodeEvent(v, k, Optional.ofNullable(before), Optional.ofNullable(after));
    }

    DnsZones zones(NodeDirectory directory) {
        DnsZones z = new DnsZones(
                new NetworkCatalog(CFG.networks()), CFG.adminNetwork(), directory, ADDRESSING, CFG.dns(), clock);
        z.onChange(() -> notifies++);
        z.scheduler((delay, task) -> {
            assertTrue(delay > 0 && delay <= DnsZones.SERIAL_INTERVAL_MILLIS, "delay " + delay);
            scheduled.add(task);
        });
        z.rebuild();
        return z;
    }

    static Optional<String> a(DnsZones z, String name) {
        return z.current()
                .at(Name.fromConstantString(name + "."))
                .map(m -> m.get(Type.A))
                .map(s -> s.first().rdataToString());
    }

    @Test
    void staleAndDuplicateEventsAreIgnored() {
        Node n1 = node(1, "n1.cluster.test", "10.10.0.11");
        Node n1b = node(1, "n1.cluster.test", "10.10.0.12");
        DnsZones z = zones(new NodeDirectory(List.of()));
        z.accept(ev(1, null, n1));
        z.accept(ev(2, n1, n1b));
        z.accept(ev(1, null, n1)); // late duplicate of the create: must not roll the address back
        assertEquals(Optional.of("10.10.0.12"), a(z, "n1.cluster.test"));
        z.accept(ev(4, n1b, null));
        z.accept(ev(3, n1, n1b)); // older than the deletion: the node stays deleted
        assertEquals(Optional.empty(), a(z, "n1.cluster.test"));
        assertEquals(Optional.empty(), z.current().at(Name.fromConstantString("12.0.10.10.in-addr.arpa.")));
        assertEquals(2, z.staleEvents());
        assertEquals(4, z.version());
    }

    /** The first build is current to the directory's version: events up to it are in it already. */
    @Test
    void theFirstBuildStartsAtTheDirectorysVersion() {
        Node n1 = node(1, "n1.cluster.test", "10.10.0.11");
        Node n2 = node(2, "n2.cluster.test", "10.10.0.12");
        NodeDirectory d = NodeDirectory.deferred(mac -> Optional.empty(), () -> 5);
        d.load(() -> List.of(n1, n2));
        DnsZones z = zones(d);
        z.accept(ev(5, n2, null)); // already reflected (and not applied to the directory either: v5 <= 5)
        assertEquals(Optional.of("10.10.0.12"), a(z, "n2.cluster.test"));
        z.accept(ev(6, n2, null));
        assertEquals(Optional.empty(), a(z, "n2.cluster.test"));
        assertEquals(1, z.staleEvents());
    }

    /** Many changes in one second: records change at once, the serial once now and once at the second's end. */
    @Test
    void serialBumpsCoalesceToOnePerSecond() {
        DnsZones z = zones(new NodeDirectory(List.of()));
        long s0 = z.current().serial();
        advanceMillis(100);
        for (int i = 1; i <= 50; i++) {
            z.accept(ev(i, null, node(i, "n" + i + ".cluster.test", "10.10.0." + (10 + i))));
            assertEquals(Optional.of("10.10.0." + (10 + i)), a(z, "n" + i + ".cluster.test"), "visible at once");
        }
        assertEquals(s0, z.current().serial(), "within a second of the build: no bump yet");
        assertEquals(1, scheduled.size(), "one bump scheduled for the 50 changes");
        advanceMillis(900);
        scheduled.remove(0).run();
        assertEquals(s0 + 1, z.current().serial());
        assertEquals(1, notifies);
        scheduled.clear();
        advanceMillis(1500); // a quiet second: the next change bumps at once
        z.accept(ev(51, null, node(51, "n51.cluster.test", "10.10.0.99")));
        assertEquals(s0 + 2, z.current().serial());
        assertEquals(2, notifies);
        assertTrue(scheduled.isEmpty());
        z.accept(ev(52, node(51, "n51.cluster.test", "10.10.0.99"), null));
        assertEquals(1, scheduled.size());
        scheduled.remove(0).run();
        assertEquals(3, z.serialBumps());
        scheduled.clear();
        z.accept(ev(52, null, node(51, "n51.cluster.test", "10.10.0.99"))); // stale: no bump
        assertTrue(scheduled.isEmpty());
        assertEquals(3, notifies);
        advanceMillis(5000);
        Node n1 = node(1, "n1.cluster.test", "10.10.0.11");
        Node n1Alive = new Node(
                1,
                n1.name(),
                n1.macs(),
                n1.addresses(),
                n1.bootEnv(),
                n1.targetOs(),
                true,
                n1.available(),
                NodeState.INSTALLING,
                n1.createdAt(),
                n1.updatedAt());
        z.accept(ev(53, n1, n1Alive)); // state and alive flag: nothing DNS serves, no bump
        assertEquals(3, z.serialBumps());
        assertEquals(3, notifies);
    }

    /** Through NodeEvents: versions are given in commit order and delivered in that order. */
    @Test
    void nodeEventsNumberAndDeliverInOrder() throws Exception {
        NodeEvents events = new NodeEvents();
        NodeDirectory d = new NodeDirectory(List.of());
        events.subscribe(d);
        DnsZones z = zones(d);
        events.subscribe(z);
        List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        events.subscribe(e -> seen.add(e.version()));
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int base = t * 50;
            Thread th = new Thread(() -> {
                for (int i = 1; i <= 50; i++) {
                    Node n = node(base + i, "t" + (base + i) + ".cluster.test", "10.10.0." + (base / 50 * 50 + i));
                    events.commit(() -> n, (x, v) -> ev(v, null, x));
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(200, seen.size());
        for (int i = 0; i < 200; i++) {
            assertEquals(i + 1, seen.get(i), "delivered in version order");
        }
        assertEquals(200, events.version());
        assertEquals(200, events.delivered());
        assertEquals(200, z.version());
        assertEquals(0, z.staleEvents());
        assertTrue(a(z, "t200.cluster.test").isPresent());
    }

    /** A network change rebuilds from the nodes held, once per catalog version. */
    @Test
    void aNetworkChangeRebuildsOncePerVersion() {
        NetworkCatalog catalog = new NetworkCatalog(CFG.networks());
        DnsZones z =
                new DnsZones(catalog, CFG.adminNetwork(), new NodeDirectory(List.of()), ADDRESSING, CFG.dns(), clock);
        z.rebuild();
        z.accept(ev(1, null, node(1, "n1.cluster.test", "10.10.0.11")));
        dev.anvil.dns.policy.LiveZones before = z.current();
        z.rebuild(); // no new catalog version: nothing to do
        assertTrue(before == z.current());
        catalog.refresh(() -> CFG.networks());
        z.rebuild();
        assertTrue(before != z.current());
        assertEquals(Optional.of("10.10.0.11"), a(z, "n1.cluster.test"), "the nodes held carry over");
    }
}
