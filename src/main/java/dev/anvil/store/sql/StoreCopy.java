package dev.anvil.store.sql;

import dev.anvil.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code anvild migrate-store}: every row of one SQL store copied into another (H2 into PostgreSQL), in one
 * transaction of the target. Refuses a target that holds any row; checks afterwards that every table holds
 * as many rows as the source's, or rolls the whole copy back.
 */
public final class StoreCopy {
    /** Anvil's tables, parents before children (the foreign keys hold at every insert). */
    static final List<String> TABLES = List.of(
            "meta",
            "networks",
            "nodes",
            "node_macs",
            "node_addresses",
            "install_tokens",
            "node_history",
            "node_inventory",
            "tasks",
            "api_tokens",
            "node_host_keys",
            "node_host_key_mismatch",
            "dns_records",
            "node_timeline",
            "node_bmc");

    private static final int BATCH = 500;

    private StoreCopy() {}

    /** Copies {@code from} into the empty {@code to}; returns the rows copied per table. */
    public static Map<String, Long> copy(SqlStore from, SqlStore to) {
        return to.jdbc()
                .tx(target -> from.jdbc().read(source -> {
                    for (String t : TABLES) {
                        long n = count(target, t);
                        if (n > 0) {
                            throw new StoreException(
                                    "the target store is not empty: " + t + " has " + n
                                            + " rows (migrate-store copies into an empty database only)",
                                    null);
                        }
                    }
                    Map<String, Long> copied = new LinkedHashMap<>();
                    for (String t : TABLES) {
                        long n = copyTable(source, target, t);
                        long there = count(target, t);
                        if (there != n || count(source, t) != n) {
                            throw new StoreException(
                                    "copy of " + t + " does not add up: " + n + " rows read, " + there
                                            + " in the target; nothing was copied",
                                    null);
                        }
                        copied.put(t, n);
                    }
                    copyCounters(source, target, to.jdbc().dialect());
                    return Collections.unmodifiableMap(copied);
                }));
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long copyTable(Connection source, Connection target, String table) throws SQLException {
        long rows = 0;
        try (Statement s = source.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                columns.add(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
            }
            String insert = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", Collections.nCopies(n, "?")) + ")";
            try (PreparedStatement p = target.prepareStatement(insert)) {
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        p.setObject(i, value(rs, i, md.getColumnType(i)));
                    }
                    p.addBatch();
                    if (++rows % BATCH == 0) {
                        p.executeBatch();
                    }
                }
                p.executeBatch();
            }
        }
        return rows;
    }

    /** A column's value in a form both drivers bind alike. */
    private static Object value(ResultSet rs, int i, int type) throws SQLException {
        return switch (type) {
            case Types.CLOB, Types.NCLOB, Types.LONGVARCHAR -> rs.getString(i);
            case Types.BLOB, Types.VARBINARY, Types.BINARY, Types.LONGVARBINARY -> rs.getBytes(i);
            case Types.TIMESTAMP_WITH_TIMEZONE -> rs.getObject(i, OffsetDateTime.class);
            default -> rs.getObject(i);
        };
    }

    /** The id counters carry over, so the target hands out the ids that follow the source's. */
    private static void copyCounters(Connection source, Connection target, Dialect dialect) throws SQLException {
        try (Statement s = source.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, next_id FROM id_counters");
                PreparedStatement p = target.prepareStatement(dialect.upsert("id_counters", "name", "name, next_id"))) {
            while (rs.next()) {
                p.setString(1, rs.getString(1));
                p.setLong(2, rs.getLong(2));
                p.executeUpdate();
            }
        }
    }
}
