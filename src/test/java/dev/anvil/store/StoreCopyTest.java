package dev.anvil.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.auth.Role;
import dev.anvil.core.dns.DnsRecord;
import dev.anvil.core.node.Node;
import dev.anvil.core.timeline.TimelineEvent;
import dev.anvil.store.h2.H2Store;
import dev.anvil.store.pg.PgStore;
import dev.anvil.store.pg.PostgresServer;
import dev.anvil.store.sql.StoreCopy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code anvild migrate-store}'s copy: an H2 store with a row in every table into a real PostgreSQL. */
class StoreCopyTest {
    static final Instant T = Instant.parse("2026-12-06T20:00:00.250Z");

    @TempDir
    Path dir;

    @Test
    void everyTableArrivesAndTheTargetMustBeEmpty() throws Exception {
        try (PostgresServer pg = PostgresServer.start();
                H2Store h2 = H2Store.open(dir.resolve("h2"))) {
            h2.networks().put(StoreContract.ADMIN);
            Node a = h2.nodes().create(StoreContract.draft("a.cluster.test", "52:54:00:00:30:01"), T);
            Node b = h2.nodes().create(StoreContract.draft("b.cluster.test", "52:54:00:00:30:02"), T);
            h2.meta().getOrInit("ula.global-id", () -> "0123456789");
            h2.nodes().putInventory(a.id(), "{\"cpus\":4}", T);
            h2.installTokens().put(a.id(), new InstallTokenStore.Armed("nonce", T.plusSeconds(600)));
            h2.tasks().enqueue(a.id(), "reboot", "{}", 3, T, T);
            h2.apiTokens().add("ci", Role.READ_ONLY, "ab".repeat(32), T);
            h2.dnsRecords().create(DnsRecord.of("www.cluster.test", "A", "10.0.0.80", 300));
            h2.timeline()
                    .append(
                            List.of(new TimelineStore.Entry(
                                    b.id(),
                                    new TimelineEvent(
                                            T,
                                            TimelineEvent.Source.TFTP,
                                            "read",
                                            Optional.empty(),
                                            Optional.empty(),
                                            "ipxe.efi"))),
                            10);
            h2.bmcs().put(b.id(), BmcStoreTest.stored("10.0.0.5", new byte[] {1, 2, 3}));
            try (PgStore target = pg.open(dir.resolve("pg"), 2)) {
                Map<String, StoreCopy.Copied> verified = StoreCopy.copy(h2, target);
                Map<String, Long> copied = new java.util.HashMap<>();
                verified.forEach((t, c) -> copied.put(t, c.rows()));
                assertEquals(2L, copied.get("nodes"));
                assertEquals(1L, copied.get("node_bmc"));
                // every table's checksum was read back from both databases and matched; an empty table has the
                // checksum of nothing, a table with rows another one
                String none = "0".repeat(64);
                assertEquals(none, verified.get("node_host_key_mismatch").checksum());
                verified.forEach(
                        (t, c) -> assertEquals(c.rows() == 0, c.checksum().equals(none), t + ": " + c));
                assertEquals(h2.networks().list(), target.networks().list());
                assertEquals(h2.nodes().list(NodeQuery.all()), target.nodes().list(NodeQuery.all()));
                assertEquals(h2.nodes().history(a.id()), target.nodes().history(a.id()));
                assertEquals(Optional.of("{\"cpus\":4}"), target.nodes().inventory(a.id()));
                assertEquals(
                        h2.installTokens().get(a.id()), target.installTokens().get(a.id()));
                assertEquals(
                        h2.tasks().list(Optional.empty(), 10), target.tasks().list(Optional.empty(), 10));
                assertEquals(h2.apiTokens().list(), target.apiTokens().list());
                assertEquals(h2.dnsRecords().list(), target.dnsRecords().list());
                assertEquals(h2.timeline().latest(b.id(), 10), target.timeline().latest(b.id(), 10));
                assertEquals(
                        h2.bmcs().get(b.id()).orElseThrow().bmc(),
                        target.bmcs().get(b.id()).orElseThrow().bmc());
                assertEquals(h2.meta().get("ula.global-id"), target.meta().get("ula.global-id"));
                // the id counters came along: the next node follows the copied ones
                Node c = target.nodes().create(StoreContract.draft("c.cluster.test", "52:54:00:00:30:03"), T);
                assertTrue(c.id() > b.id(), c.id() + " after " + b.id());
                StoreException e = assertThrows(StoreException.class, () -> StoreCopy.copy(h2, target));
                assertTrue(e.getMessage().contains("not empty"), e.getMessage());
            }
        }
    }
}
