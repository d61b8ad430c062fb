package dev.anvil.store.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv4Range;
import dev.anvil.core.node.MacAddress;
import dev.anvil.store.SharedLeaseStore;
import dev.anvil.store.SharedLeaseStore.Row;
import dev.anvil.store.Store;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared leases (doc/scale-out.md) on a real PostgreSQL server: two store objects with their own connection
 * pools stand for two instances. Claims never give one address to two instances, even racing; the peers' changes
 * are read in order; a gone instance's addresses are taken over with their leases; a clean stop gives back only
 * what no lease holds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgSharedLeaseStoreTest {
    private static final Ipv4Range POOL =
            new Ipv4Range(Ipv4Address.parse("10.9.1.0"), Ipv4Address.parse("10.9.4.255")); // 1,024 addresses
    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");
    private PostgresServer server;
    private Store a;
    private Store b;

    @BeforeAll
    void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void open(@TempDir Path dir) {
        a = server.open(dir, 4);
        b = server.open(dir, 4); // the same database, another pool: another instance
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private SharedLeaseStore sa() {
        return a.sharedLeases().orElseThrow();
    }

    private SharedLeaseStore sb() {
        return b.sharedLeases().orElseThrow();
    }

    private static Set<Ipv4Address> ips(List<Row> rows) {
        Set<Ipv4Address> out = new HashSet<>();
        rows.forEach(r -> out.add(r.ip()));
        return out;
    }

    private static Lease lease(String ip, long mac, Lease.State state, Instant expires) {
        return new Lease(Ipv4Address.parse(ip), new MacAddress(mac), "lab", expires, state);
    }

    @Test
    void claimsAreFreshAddressesInOrderThenNone() {
        List<Row> first = sa().claim("a", "lab", POOL, POOL.start(), 64);
        assertEquals(64, first.size());
        assertEquals(POOL.start(), first.get(0).ip());
        first.forEach(r -> assertEquals(Optional.of("a"), r.holder()));
        first.forEach(r -> assertTrue(r.lease().isEmpty()));
        List<Row> second = sb().claim("b", "lab", POOL, POOL.start(), 64);
        assertEquals(64, second.size());
        Set<Ipv4Address> both = ips(first);
        assertTrue(both.stream().noneMatch(ips(second)::contains), "b claimed an address a holds");
        // The pool runs out: what is left, then nothing.
        assertEquals(
                1024 - 128, sa().claim("a", "lab", POOL, POOL.start(), 2000).size());
        assertEquals(0, sb().claim("b", "lab", POOL, POOL.start(), 10).size());
    }

    @Test
    void racingInstancesNeverClaimOneAddressTwice() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Row>>> claims = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                SharedLeaseStore s = w % 2 == 0 ? sa() : sb();
                String self = w % 2 == 0 ? "a" : "b";
                claims.add(pool.submit(() -> {
                    go.await();
                    List<Row> mine = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        mine.addAll(s.claim(self, "lab", POOL, POOL.start(), 16)); // every one from the same start
                    }
                    return mine;
                }));
            }
            go.countDown();
            Set<Ipv4Address> seen = new HashSet<>();
            int total = 0;
            for (Future<List<Row>> f : claims) {
                for (Row r : f.get()) {
                    assertTrue(seen.add(r.ip()), r.ip() + " claimed twice");
                    total++;
                }
            }
            assertEquals(1024, total, "the whole pool claimed, each address once");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void peersSeeLeasesInChangeOrderAndAnotherInstancesAddressIsLeftAlone() {
        Row held = sa().claim("a", "lab", POOL, POOL.start(), 1).get(0);
        sa().record(
                        "a",
                        List.of(lease(held.ip().toString(), 0x525400000001L, Lease.State.ACTIVE, T0.plusSeconds(600))));
        // b records a lease on a's address (a stale view): a's row stays as it is.
        sb().record("b", List.of(lease(held.ip().toString(), 0x525400000002L, Lease.State.ACTIVE, T0)));
        List<Row> seenByB = sb().changedSince(0, Optional.of("b"), 100);
        assertEquals(1, seenByB.size());
        Row r = seenByB.get(0);
        assertEquals(Optional.of("a"), r.holder());
        assertEquals(new MacAddress(0x525400000001L), r.lease().orElseThrow().mac());
        assertEquals(T0.plusSeconds(600), r.lease().get().expires());
        assertEquals(Lease.State.ACTIVE, r.lease().get().state());
        // A lease outside the pool (a node's reservation) is recorded as its writer's; a's own rows not shown to a.
        sb().record("b", List.of(lease("10.9.0.5", 0x525400000003L, Lease.State.ACTIVE, T0.plusSeconds(60))));
        List<Row> seenByA = sa().changedSince(r.seq(), Optional.of("a"), 100);
        assertEquals(
                List.of(Ipv4Address.parse("10.9.0.5")),
                seenByA.stream().map(Row::ip).toList());
        assertTrue(
                sa().changedSince(seenByA.get(0).seq(), Optional.empty(), 100).isEmpty());
    }

    @Test
    void goneInstancesAddressesAreTakenOverLeasesAndAllAndACleanStopGivesBackTheUnleased() {
        a.instances().register("a", T0);
        a.instances().register("b", T0);
        List<Row> held = sa().claim("a", "lab", POOL, POOL.start(), 3);
        Lease bound = lease(held.get(0).ip().toString(), 0x525400000011L, Lease.State.ACTIVE, T0.plusSeconds(3600));
        sa().record("a", List.of(bound));
        // a is alive (heartbeat at T0): nothing to take.
        assertEquals(0, sb().adopt("b", List.of("a"), T0.minusSeconds(30)).size());
        // a went silent: b takes all three, the lease with them.
        List<Row> taken = sb().adopt("b", List.of("a", "b"), T0.plusSeconds(30));
        assertEquals(ips(held), ips(taken));
        taken.forEach(r -> assertEquals(Optional.of("b"), r.holder()));
        assertEquals(
                Optional.of(bound),
                taken.stream()
                        .filter(r -> r.ip().equals(bound.ip()))
                        .findFirst()
                        .orElseThrow()
                        .lease());
        // b stops cleanly: the two unleased go back to nobody; the bound one stays b's until its lease ends.
        assertEquals(2, sb().release("b", T0));
        List<Row> unheld = sa().claim("a", "lab", POOL, Ipv4Address.parse("10.9.4.255"), 1021 + 2);
        assertEquals(1021 + 2, unheld.size(), "the rest of the pool and the two given back");
        assertTrue(ips(unheld).stream().noneMatch(bound.ip()::equals));
    }

    @Test
    void aPeersWantIsSeenUntilWithdrawnAndWhatIsGivenBackTheWantingOneClaims() throws Exception {
        java.time.Duration fresh = java.time.Duration.ofSeconds(3);
        assertEquals(Set.of(), sa().wanted("a", fresh));
        List<Row> all = sa().claim("a", "lab", POOL, POOL.start(), 1024);
        assertEquals(0, sb().claim("b", "lab", POOL, POOL.start(), 64).size(), "a holds the whole pool");
        sb().want("b", "lab", true);
        sb().want("b", "lab", true); // refreshed: still one want
        assertEquals(Set.of("lab"), sa().wanted("a", fresh));
        assertEquals(Set.of(), sb().wanted("b", fresh), "an instance's own want is not one to answer");

        List<Ipv4Address> back =
                List.of(all.get(0).ip(), all.get(5).ip(), all.get(9).ip());
        assertEquals(0, sb().giveBack("b", "lab", back), "b holds none of them: nothing changes");
        assertEquals(3, sa().giveBack("a", "lab", back));
        assertEquals(Set.copyOf(back), ips(sb().claim("b", "lab", POOL, POOL.start(), 64)));
        assertEquals(0, sa().claim("a", "lab", POOL, POOL.start(), 64).size(), "b holds them now");

        sb().want("b", "lab", false);
        assertEquals(Set.of(), sa().wanted("a", fresh), "withdrawn");
        sb().want("b", "lab", true);
        Thread.sleep(50);
        assertEquals(Set.of(), sa().wanted("a", java.time.Duration.ofMillis(10)), "an old want does not count");
        assertEquals(Set.of("lab"), sa().wanted("a", fresh));
    }
}
