package dev.anvil.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.anvil.store.h2.H2Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code anvild migrate-store}'s table checksum: every change counts, the order of the rows does not. */
class StoreCopyChecksumTest {
    static final List<String> COLUMNS = List.of("id", "name", "at", "secret", "ok", "note");

    @TempDir
    Path dir;

    static void insert(Connection c, long id, String name, byte[] secret, String note) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("INSERT INTO t (id, name, at, secret, ok, note) VALUES (?, ?, ?, ?, ?, ?)")) {
            p.setLong(1, id);
            p.setString(2, name);
            p.setObject(3, OffsetDateTime.parse("2026-12-06T20:00:00.250001Z"));
            p.setBytes(4, secret);
            p.setBoolean(5, id % 2 == 0);
            p.setString(6, note);
            p.executeUpdate();
        }
    }

    String sum(Jdbc jdbc, String table) {
        return jdbc.read(c -> StoreCopy.checksum(c, table, COLUMNS));
    }

    @Test
    void everyChangeCountsButNotTheOrder() throws Exception {
        try (H2Store h2 = H2Store.open(dir)) {
            Jdbc jdbc = ((SqlStore) h2).jdbc();
            String empty = jdbc.tx(c -> {
                try (var s = c.createStatement()) {
                    s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(32), at TIMESTAMP WITH TIME ZONE, "
                            + "secret VARBINARY(16), ok BOOLEAN, note CLOB)");
                }
                return StoreCopy.checksum(c, "t", COLUMNS);
            });
            assertEquals("0".repeat(64), empty, "no rows: the sum of nothing");
            jdbc.tx(c -> {
                insert(c, 1, "a", new byte[] {1, 2}, null);
                insert(c, 2, "b", null, "x");
                return null;
            });
            String two = sum(jdbc, "t");
            assertNotEquals(empty, two);
            assertEquals(two, sum(jdbc, "t"), "the same rows, the same sum");
            assertEquals(two, sum(jdbc, "(SELECT * FROM t ORDER BY id DESC) r"), "another order, the same sum");

            jdbc.tx(c -> {
                insert(c, 3, "c", new byte[] {3}, "y");
                return null;
            });
            String three = sum(jdbc, "t");
            assertNotEquals(two, three, "a row added");

            for (String change : List.of(
                    "UPDATE t SET name = 'B' WHERE id = 2",
                    "UPDATE t SET secret = X'0103' WHERE id = 1",
                    "UPDATE t SET secret = NULL WHERE id = 3",
                    "UPDATE t SET at = at + INTERVAL '0.000001' SECOND WHERE id = 1",
                    "UPDATE t SET ok = NOT ok WHERE id = 3",
                    "UPDATE t SET note = '' WHERE id = 1",
                    "DELETE FROM t WHERE id = 2")) {
                String before = sum(jdbc, "t");
                jdbc.tx(c -> {
                    try (var s = c.createStatement()) {
                        s.executeUpdate(change);
                    }
                    return null;
                });
                assertNotEquals(before, sum(jdbc, "t"), change);
            }
        }
    }
}
