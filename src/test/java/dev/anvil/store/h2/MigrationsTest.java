package dev.anvil.store.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.store.NodeQuery;
import dev.anvil.store.StoreException;
import dev.anvil.store.sql.Migrations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
    @TempDir
    Path dir;

    private String url() {
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("anvil");
    }

    private static String script(String name) throws IOException {
        try (InputStream in = MigrationsTest.class.getClassLoader().getResourceAsStream("db/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Runs a script the way the hand-written runner before Flyway did: statements end with ";" at a line end. */
    private static void run(Statement s, String script) throws Exception {
        StringBuilder cur = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.strip();
            if (t.startsWith("--") || t.isEmpty()) {
                continue;
            }
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                s.execute(cur.substring(0, cur.lastIndexOf(";")));
                cur.setLength(0);
            }
        }
    }

    @Test
    void aDatabaseFromBeforeFlywayIsTakenOverAtItsVersionWithItsData() throws Exception {
        String[] old = {
            "V1__init.sql",
            "V2__network_server_address.sql",
            "V3__network_proxy_dhcp.sql",
            "V4__install_tokens.sql",
            "V5__lifecycle.sql",
            "V6__api_tokens.sql",
            "V7__host_keys.sql"
        };
        try (Connection c = DriverManager.getConnection(url(), "anvil", "");
                Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE schema_version (version INTEGER NOT NULL, description VARCHAR(200) NOT NULL, "
                            + "applied_at TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT schema_version_pk PRIMARY KEY (version))");
            for (int i = 0; i < old.length; i++) {
                run(s, script(old[i]));
                s.execute("INSERT INTO schema_version VALUES (" + (i + 1) + ", '" + old[i] + "', CURRENT_TIMESTAMP)");
            }
            s.execute("INSERT INTO networks (name, net_id, cidr, static_range, domain, v6prefix) "
                    + "VALUES ('admin', 1, '10.10.0.0/22', '10.10.0.10-10.10.3.250', 'cluster.test', 'auto')");
            s.execute(
                    "INSERT INTO nodes (name, boot_env, alive, available, state, created_at, updated_at) VALUES "
                            + "('old.cluster.test', 'sledgehammer', FALSE, TRUE, 'DISCOVERING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
        }
        H2Store store = H2Store.open(dir);
        try {
            var nodes = store.nodes().list(NodeQuery.all());
            assertEquals(1, nodes.size());
            assertEquals("old.cluster.test", nodes.get(0).name());
            // V8 ran on top: ids come from its counter, after the old identity's rows
            var created = store.nodes().create(H2JournalTest.draft(7), H2JournalTest.T0);
            assertTrue(created.id() > nodes.get(0).id());
        } finally {
            store.close();
        }
        try (Connection c = DriverManager.getConnection(url(), "anvil", "")) {
            assertFalse(Migrations.tableExists(c, "SCHEMA_VERSION"), "the old history is dropped");
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT \"version\", \"type\" FROM \"flyway_schema_history\" ORDER BY \"installed_rank\"")) {
                StringBuilder h = new StringBuilder();
                while (rs.next()) {
                    h.append(rs.getString(1))
                            .append(':')
                            .append(rs.getString(2))
                            .append(' ');
                }
                assertEquals(
                        "null:TABLE 7:BASELINE 8:SQL 9:SQL 10:SQL 11:SQL 12:SQL 13:SQL 14:SQL 15:SQL 16:SQL 17:SQL 18:SQL ",
                        h.toString()); // Flyway notes the history table it made
            }
        }
    }

    @Test
    void latestIsTheNewestScript() throws Exception {
        Path db =
                Path.of(MigrationsTest.class.getClassLoader().getResource("db").toURI());
        try (var files = java.nio.file.Files.list(db)) {
            int newest = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .max()
                    .orElseThrow();
            assertEquals(newest, Migrations.LATEST, "Migrations.LATEST must name the newest script in db/");
        }
    }

    @Test
    void aDatabaseFromANewerAnvilIsRefusedWithItsVersion() throws Exception {
        H2Store.open(dir).close();
        try (Connection c = DriverManager.getConnection(url(), "anvil", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\", "
                    + "\"type\", \"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\") VALUES (99, '99', 'from the future', 'SQL', "
                    + "'V99__from_the_future.sql', 1, 'anvil', 1, TRUE)");
        }
        StoreException e = assertThrows(StoreException.class, () -> H2Store.open(dir));
        assertTrue(
                e.getMessage()
                        .contains("the database has schema version 99 but this Anvil knows only " + Migrations.LATEST),
                e.getMessage());
    }
}
