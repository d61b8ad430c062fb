package dev.anvil.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.TimelineConfig;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.node.NodeState;
import dev.anvil.core.timeline.TimelineEvent;
import dev.anvil.core.timeline.TimelineEvent.Source;
import dev.anvil.lifecycle.Service;
import dev.anvil.store.TimelineStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The recorder's queue (bounded, drops counted), its batches, how it finds nodes, and its stop. */
class TimelineRecorderTest {
    static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    static final Node A = node(1, "a.test", "52:54:00:00:00:01", "10.0.0.11", NodeState.READY, "local");
    static final Node B = node(2, "b.test", "52:54:00:00:00:02", "10.0.0.12", NodeState.READY, "local");
    static final MacAddress LEASED_MAC = MacAddress.parse("52:54:00:00:00:02");
    static final Ipv4Address POOL_ADDRESS = Ipv4Address.parse("10.0.0.99");
    /** A discovered node: no address on any network (its IPv6 is its derived address on the link it is on). */
    static final Node C = new Node(
            3,
            "c.test",
            List.of(MacAddress.parse("52:54:00:00:00:03")),
            List.of(),
            "sledgehammer",
            Optional.empty(),
            false,
            true,
            NodeState.DISCOVERED,
            Instant.EPOCH,
            Instant.EPOCH);

    static final List<dev.anvil.core.net.Network> NETWORKS =
            new dev.anvil.config.ConfigLoader().parse("""
              http: {listen: "10.0.0.1:8080"}
              networks:
                - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.98, domain: test,
                   serverAddress: 10.0.0.1, v6prefix: "fd00:77::/64"}
              """, "test").networks();
    static final dev.anvil.core.net.Addressing ADDRESSING = new dev.anvil.core.net.Addressing(0);

    /** A store that keeps each batch; while {@link #hold} is set, append waits for {@link #release}. */
    static final class FakeStore implements TimelineStore {
        final List<List<Entry>> batches = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean hold;

        @Override
        public int append(List<Entry> entries, int perNode) {
            entered.countDown();
            if (hold) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
            }
            batches.add(List.copyOf(entries));
            return entries.size();
        }

        @Override
        public List<TimelineEvent> latest(long nodeId, int limit) {
            return List.of();
        }

        List<Entry> all() {
            synchronized (batches) {
                return batches.stream().flatMap(List::stream).toList();
            }
        }
    }

    final FakeStore store = new FakeStore();
    TimelineRecorder recorder;

    TimelineRecorder recorder(int queue, Duration stopWait) {
        NodeDirectory dir = new NodeDirectory(List.of(A, B, C));
        recorder = new TimelineRecorder(
                store,
                new TimelineConfig(500, queue),
                dir,
                ip -> ip.equals(POOL_ADDRESS) ? Optional.of(LEASED_MAC) : Optional.empty(),
                ip6 -> dir.byIpv6(ip6, ADDRESSING, NETWORKS),
                Clock.fixed(T0, ZoneOffset.UTC),
                stopWait);
        return recorder;
    }

    @AfterEach
    void tearDown() {
        store.release.countDown();
        if (recorder != null) {
            recorder.close();
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlockingOrGrowing() throws Exception {
        TimelineRecorder r = recorder(16, Duration.ofSeconds(5));
        store.hold = true;
        r.start();
        r.forNode(1, Source.DHCP, "first", null);
        assertTrue(store.entered.await(5, TimeUnit.SECONDS), "the writer took the first event");
        long t0 = System.nanoTime();
        for (int i = 0; i < 21; i++) {
            r.forNode(1, Source.DHCP, "e" + i, null);
        }
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "recording never waits for the store");
        assertEquals(5, r.dropped(), "16 fit the queue, 5 are dropped");
        assertEquals(5L, r.metrics().get("dropped"));
        store.release.countDown();
        r.close();
        assertEquals(17, store.all().size(), "the first and the 16 queued are stored");
        assertEquals("e15", store.all().get(16).event().event());
    }

    @Test
    void whatQueuedUpWhileTheStoreWasBusyGoesInOneBatch() throws Exception {
        TimelineRecorder r = recorder(1000, Duration.ofSeconds(5));
        store.hold = true;
        r.start();
        r.forNode(1, Source.TFTP, "first", null);
        assertTrue(store.entered.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < 600; i++) {
            r.forNode(2, Source.TFTP, "e" + i, "file=f" + i);
        }
        store.release.countDown();
        r.close();
        assertEquals(
                List.of(1, TimelineRecorder.BATCH, 600 - TimelineRecorder.BATCH),
                store.batches.stream().map(List::size).toList(),
                "one event, then batches of at most " + TimelineRecorder.BATCH);
        assertEquals(601, store.all().size());
        assertEquals(T0, store.all().get(1).event().at(), "stamped with the recorder's clock");
    }

    @Test
    void eventsFindTheirNodeByIdMacReservationOrLeaseAndTheRestAreDiscarded() {
        TimelineRecorder r = recorder(100, Duration.ofSeconds(5));
        r.forNode(2, Source.TASK, "by id", null);
        r.forMac(MacAddress.parse("52:54:00:00:00:01"), POOL_ADDRESS, Source.DHCP, "by mac", null);
        r.forAddress(Ipv4Address.parse("10.0.0.12"), Source.TFTP, "by reservation", null);
        r.forAddress(POOL_ADDRESS, Source.HTTP, "by lease", null);
        r.forAddress(Ipv4Address.parse("10.0.0.200"), Source.HTTP, "nobody's address", null);
        r.forMac(MacAddress.parse("52:54:00:00:00:77"), null, Source.DHCP, "nobody's mac", null);
        r.start();
        r.close();
        List<String> got = store.all().stream()
                .map(e -> e.nodeId() + " " + e.event().event())
                .toList();
        assertEquals(List.of("2 by id", "1 by mac", "2 by reservation", "2 by lease"), got);
        assertEquals(2L, r.metrics().get("unmatched"));
        assertEquals(Optional.of(POOL_ADDRESS), store.all().get(1).event().address());
    }

    static java.net.InetAddress derived(String name) {
        return ADDRESSING.ipv6(NETWORKS.get(0), name).orElseThrow();
    }

    @Test
    void ipv6ClientsFindTheNodeWhoseDerivedAddressTheyComeFrom() throws Exception {
        TimelineRecorder r = recorder(100, Duration.ofSeconds(5));
        r.forClient(derived("a.test"), Source.TFTP, "a over IPv6", "file=snponly.efi");
        r.forClient(derived("c.test"), Source.HTTP, "discovered c over IPv6", null);
        r.forClient(
                java.net.InetAddress.getByName("fd00:77::5647:bb2b:5476:6855"), Source.HTTP, "a pool address", null);
        r.forClient(java.net.InetAddress.getByName("fd00:78::1"), Source.HTTP, "no served /64", null);
        r.forClient(java.net.InetAddress.getByName("::ffff:10.0.0.12"), Source.TFTP, "mapped IPv4", null);
        r.start();
        r.close();
        List<String> got = store.all().stream()
                .map(e ->
                        (e.nodeId() + " " + e.event().event() + " " + e.event().detail()).strip())
                .toList();
        assertEquals(
                List.of(
                        "1 a over IPv6 file=snponly.efi from="
                                + dev.anvil.core.net.ClientAddress.format(derived("a.test")),
                        "3 discovered c over IPv6 from=" + dev.anvil.core.net.ClientAddress.format(derived("c.test")),
                        "2 mapped IPv4"),
                got);
        assertEquals(2L, r.metrics().get("unmatched"));
    }

    @Test
    void stopDrainsTheQueueThenRecordsNothing() {
        TimelineRecorder r = recorder(1000, Duration.ofSeconds(5));
        r.start();
        for (int i = 0; i < 300; i++) {
            r.forNode(1, Source.HTTP, "e" + i, null);
        }
        r.close();
        assertEquals(300, store.all().size(), "everything queued before close is stored");
        assertEquals(Service.State.STOPPED, r.state());
        r.forNode(1, Source.HTTP, "late", null);
        assertEquals(1, r.dropped(), "after the stop an event is counted, not queued");
        assertEquals(300, store.all().size());
    }

    @Test
    void anIdleWriterSleepsUntilAnEventAndTheStopWakesIt() throws Exception {
        TimelineRecorder r = recorder(1000, Duration.ofSeconds(20));
        r.start();
        Thread.sleep(300); // idle: the writer sleeps until something is queued
        r.forNode(1, Source.HTTP, "woken", null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (store.all().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, store.all().size(), "an event wakes the idle writer");
        Thread.sleep(100);
        long t0 = System.nanoTime();
        r.close();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 1000, "the stop wakes the idle writer at once, not after its stop wait: " + ms + " ms");
        assertEquals(Service.State.STOPPED, r.state());
        assertEquals(0, r.dropped(), "the wake-up is no event");
        assertEquals(1, store.all().size());
    }

    @Test
    void aStoreThatHangsCannotHoldTheStopPastItsWait() throws Exception {
        TimelineRecorder r = recorder(1000, Duration.ofMillis(300));
        store.hold = true;
        r.start();
        r.forNode(1, Source.HTTP, "first", null);
        assertTrue(store.entered.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < 10; i++) {
            r.forNode(1, Source.HTTP, "e" + i, null);
        }
        long t0 = System.nanoTime();
        r.close();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 250 && ms < 3000, "close waited about its stop wait: " + ms + " ms");
        assertEquals(10, r.dropped(), "the ten still queued are counted as dropped");
    }

    @Test
    void nodeEventsBecomeLifecycleEntries() {
        TimelineRecorder r = recorder(100, Duration.ofSeconds(5));
        Node created = node(3, "c.test", "52:54:00:00:00:03", "10.0.0.13", NodeState.DISCOVERED, "sledgehammer");
        Node pending =
                node(3, "c.test", "52:54:00:00:00:03", "10.0.0.13", NodeState.INSTALL_PENDING, "ubuntu-24.04-install");
        r.accept(new NodeEvent(1, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(created)));
        r.accept(new NodeEvent(2, NodeEvent.Kind.BOOT_ENV_CHANGED, Optional.of(created), Optional.of(pending)));
        r.accept(new NodeEvent(3, NodeEvent.Kind.UPDATED, Optional.of(pending), Optional.of(pending)));
        r.accept(new NodeEvent(4, NodeEvent.Kind.DELETED, Optional.of(pending), Optional.empty()));
        // another instance's changes, read back from the shared store: that instance recorded them
        r.accept(new NodeEvent(5, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(created), true));
        r.accept(new NodeEvent(6, NodeEvent.Kind.BOOT_ENV_CHANGED, Optional.of(created), Optional.of(pending), true));
        r.start();
        r.close();
        List<String> got = store.all().stream()
                .map(e -> e.nodeId() + " " + e.event().source() + " "
                        + e.event().event() + ": " + e.event().detail())
                .toList();
        assertEquals(
                List.of(
                        "3 LIFECYCLE created: state discovered, boot environment sledgehammer",
                        "3 LIFECYCLE state: discovered -> install-pending",
                        "3 LIFECYCLE boot environment: sledgehammer -> ubuntu-24.04-install"),
                got);
    }

    @Test
    void eventsAreBoundedAndCleaned() {
        TimelineEvent e = new TimelineEvent(
                T0, Source.TFTP, "x".repeat(100), Optional.empty(), Optional.empty(), "a\u0001b" + "y".repeat(600));
        assertEquals(TimelineEvent.MAX_EVENT, e.event().length());
        assertTrue(e.event().endsWith("..."));
        assertEquals(TimelineEvent.MAX_DETAIL, e.detail().length());
        assertTrue(e.detail().startsWith("a?b"), "control characters replaced");
        assertEquals("tftp", Source.TFTP.wire());
    }

    static Node node(long id, String name, String mac, String ip, NodeState state, String env) {
        return new Node(
                id,
                name,
                List.of(MacAddress.parse(mac)),
                List.of(new NodeAddress("admin", Ipv4Address.parse(ip))),
                env,
                Optional.empty(),
                false,
                true,
                state,
                Instant.EPOCH,
                Instant.EPOCH);
    }
}
