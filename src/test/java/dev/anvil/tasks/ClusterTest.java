package dev.anvil.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.anvil.store.InstanceStore;
import dev.anvil.store.Store;
import dev.anvil.store.h2.H2Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The instance name (configured, or made once and kept in the state directory) and the heartbeat's rule for a
 * takeover: only after a whole takeover timeout of heartbeats written, counted again after a heartbeat the store
 * refused. On a real H2 store; the clock is mocked (Mockito), and the store's refusal is a switch on its
 * {@link InstanceStore} (the outage the rule is for).
 */
class ClusterTest {
    static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void theNameIsConfiguredOrMadeOnceAndKept() throws Exception {
        assertEquals("admin1", Cluster.instanceId(Optional.of("admin1"), dir, new Random(1)));
        assertTrue(Files.notExists(dir.resolve("instance")), "a configured name writes nothing");
        String made = Cluster.instanceId(Optional.empty(), dir, new Random(1));
        assertTrue(made.matches("[a-z0-9][a-z0-9.-]*-[0-9a-f]{6}"), made);
        assertEquals(made + "\n", Files.readString(dir.resolve("instance")));
        assertEquals(made, Cluster.instanceId(Optional.empty(), dir, new Random(2)), "kept across restarts");
        Files.writeString(dir.resolve("instance"), "not a name!\n");
        IllegalStateException bad = assertThrows(
                IllegalStateException.class, () -> Cluster.instanceId(Optional.empty(), dir, new Random(1)));
        assertTrue(
                bad.getMessage().contains(dir.resolve("instance") + " does not hold an instance name"),
                bad.getMessage());
    }

    /** The real store's instances, refusing every call while {@code down}. */
    static final class Outage implements InstanceStore {
        final InstanceStore store;
        volatile boolean down;

        Outage(InstanceStore store) {
            this.store = store;
        }

        private void check() {
            if (down) {
                throw new dev.anvil.store.StoreException("the database is unreachable", null);
            }
        }

        @Override
        public Optional<Instance> register(String id, Instant now) {
            check();
            return store.register(id, now);
        }

        @Override
        public void beat(String id, Instant now) {
            check();
            store.beat(id, now);
        }

        @Override
        public List<Instance> list() {
            check();
            return store.list();
        }

        @Override
        public void remove(String id) {
            check();
            store.remove(id);
        }
    }

    @Test
    void takesOverOnlyAfterAWholeTimeoutOfHeartbeatsWritten() {
        try (Store store = H2Store.open(dir)) {
            Clock clock = mock(Clock.class);
            when(clock.instant()).thenReturn(T0);
            Outage instances = new Outage(store.instances());
            List<Instant> takeovers = new ArrayList<>();
            // The timer's own heartbeat is an hour away: the test beats by hand.
            Cluster c = new Cluster(instances, "a", Duration.ofHours(1), Duration.ofSeconds(30), clock, takeovers::add);
            store.instances().register("b", T0.minusSeconds(60));
            c.start();
            try {
                assertEquals(
                        List.of("a", "b"),
                        store.instances().list().stream()
                                .map(InstanceStore.Instance::id)
                                .toList());
                assertEquals(List.of(), c.peers(), "b's heartbeat is older than the timeout: no live peer");
                when(clock.instant()).thenReturn(T0.plusSeconds(10));
                c.beat();
                assertEquals(List.of(), takeovers, "up 10 s: too early to count anyone as gone");
                when(clock.instant()).thenReturn(T0.plusSeconds(30));
                c.beat();
                assertEquals(List.of(T0), takeovers, "up 30 s: instances silent since before T0 are gone");
                assertEquals(T0.plusSeconds(30), store.instances().list().get(0).heartbeatAt());

                instances.down = true;
                when(clock.instant()).thenReturn(T0.plusSeconds(40));
                c.beat();
                instances.down = false;
                when(clock.instant()).thenReturn(T0.plusSeconds(50));
                c.beat();
                when(clock.instant()).thenReturn(T0.plusSeconds(79));
                c.beat();
                assertEquals(List.of(T0), takeovers, "after a missed heartbeat, a whole timeout again first");
                when(clock.instant()).thenReturn(T0.plusSeconds(80));
                c.beat();
                assertEquals(List.of(T0, T0.plusSeconds(50)), takeovers);
                assertEquals(1L, c.metrics().get("missed"));

                store.instances().beat("b", T0.plusSeconds(75));
                assertEquals(
                        List.of("b"),
                        c.peers().stream().map(InstanceStore.Instance::id).toList());
            } finally {
                c.close();
            }
            assertEquals(
                    List.of("b"),
                    store.instances().list().stream()
                            .map(InstanceStore.Instance::id)
                            .toList(),
                    "a clean stop removes its row");
        }
    }
}
