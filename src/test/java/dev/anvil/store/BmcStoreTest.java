package dev.anvil.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.NotFoundException;
import dev.anvil.core.node.Node;
import dev.anvil.core.power.Bmc;
import dev.anvil.core.power.Privilege;
import dev.anvil.core.power.SecretRef;
import dev.anvil.store.h2.H2Store;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code node_bmc} on H2 ({@code PgBmcStoreTest}: on PostgreSQL): put, read back, replace, delete, gone with its
 * node, kept across a reopen.
 */
class BmcStoreTest {
    static final Instant T = Instant.parse("2026-12-06T04:00:00.123Z");

    @TempDir
    Path dir;

    /** The store in {@code dir}, opened again on the same database. */
    Store open(Path dir) {
        return H2Store.open(dir);
    }

    static BmcStore.Stored stored(String address, byte[] sealed) {
        return new BmcStore.Stored(
                new Bmc(
                        "ipmi",
                        address,
                        6230,
                        "admin",
                        Privilege.OPERATOR,
                        17,
                        false,
                        true,
                        Optional.empty(),
                        Optional.empty(),
                        new SecretRef("0a1b2c3d", T)),
                sealed);
    }

    @Test
    void putGetReplaceDeleteAndCascade() {
        Store s = open(dir);
        try {
            s.networks().put(StoreContract.ADMIN);
            Node n = s.nodes().create(StoreContract.draft("b1.cluster.test", "52:54:00:00:19:01"), T);
            assertEquals(Optional.empty(), s.bmcs().get(n.id()));
            s.bmcs().put(n.id(), stored("10.0.0.5", new byte[] {1, 2, 3}));
            assertEquals(
                    stored("10.0.0.5", new byte[] {1, 2, 3}),
                    s.bmcs().get(n.id()).get());
            s.bmcs().put(n.id(), stored("bmc-b1.example", new byte[] {9}));
            assertEquals("bmc-b1.example", s.bmcs().get(n.id()).get().bmc().address());
            assertArrayEquals(new byte[] {9}, s.bmcs().get(n.id()).get().sealedSecret());
            assertTrue(s.bmcs().delete(n.id()));
            assertFalse(s.bmcs().delete(n.id()));

            s.bmcs().put(n.id(), stored("10.0.0.5", new byte[] {1}));
            s.nodes().delete(n.name());
            assertEquals(Optional.empty(), s.bmcs().get(n.id()), "gone with the node");
            assertThrows(NotFoundException.class, () -> s.bmcs().put(n.id(), stored("10.0.0.5", new byte[] {1})));
        } finally {
            s.close();
        }
    }

    @Test
    void redfishSettingsRoundTrip() {
        H2Store s = H2Store.open(dir);
        try {
            s.networks().put(StoreContract.ADMIN);
            Node n = s.nodes().create(StoreContract.draft("b3.cluster.test", "52:54:00:00:19:03"), T);
            BmcStore.Stored r = new BmcStore.Stored(
                    new Bmc(
                            "redfish",
                            "bmc-b3.example",
                            8443,
                            "a-redfish-user-longer-than-16-characters",
                            Privilege.ADMINISTRATOR,
                            3,
                            true,
                            false,
                            Optional.of("/redfish/v1/Systems/System.Embedded.1"),
                            Optional.of("0f".repeat(32)),
                            new SecretRef("0a1b2c3d", T)),
                    new byte[] {7});
            s.bmcs().put(n.id(), r);
            assertEquals(r, s.bmcs().get(n.id()).get());
        } finally {
            s.close();
        }
    }

    @Test
    void keptAcrossAReopen() {
        long id;
        Store s = open(dir);
        try {
            s.networks().put(StoreContract.ADMIN);
            id = s.nodes()
                    .create(StoreContract.draft("b2.cluster.test", "52:54:00:00:19:02"), T)
                    .id();
            s.bmcs().put(id, stored("10.0.0.6", new byte[] {4, 5}));
        } finally {
            s.close();
        }
        Store again = open(dir);
        try {
            assertEquals(
                    stored("10.0.0.6", new byte[] {4, 5}), again.bmcs().get(id).get());
        } finally {
            again.close();
        }
    }

    @Test
    void toStringLeavesTheSealedBytesOut() {
        String s = stored("10.0.0.5", new byte[] {0x41, 0x42}).toString();
        assertTrue(s.contains("sealedSecret=2 bytes"), s);
        assertFalse(s.contains("[65, 66]"), s);
    }
}
