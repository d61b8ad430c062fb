package dev.anvil.store.sql;

import dev.anvil.store.StoreException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code anvild migrate-store}: every row of one SQL store copied into another (H2 into PostgreSQL), in one
 * transaction of the target. Refuses a target that holds any row; checks afterwards, table by table, that the
 * target holds as many rows as the source and the same rows (a checksum of each table's rows read back from both
 * databases, {@link #checksum}), or rolls the whole copy back.
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

    /** One table copied: its rows and the checksum both databases gave for them. */
    public record Copied(long rows, String checksum) {}

    /**
     * Copies {@code from} into the empty {@code to}; returns each table's rows and checksum (the same on both sides,
     * or nothing was copied).
     */
    public static Map<String, Copied> copy(SqlStore from, SqlStore to) {
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
                    Map<String, Copied> copied = new LinkedHashMap<>();
                    for (String t : TABLES) {
                        List<String> columns = columns(source, t);
                        long n = copyTable(source, target, t, columns);
                        long there = count(target, t);
                        if (there != n || count(source, t) != n) {
                            throw new StoreException(
                                    "copy of " + t + " does not add up: " + n + " rows read, " + there
                                            + " in the target; nothing was copied",
                                    null);
                        }
                        String want = checksum(source, t, columns);
                        String got = checksum(target, t, columns);
                        if (!want.equals(got)) {
                            throw new StoreException(
                                    "copy of " + t + " differs: checksum " + want + " in the source, " + got
                                            + " in the target (" + n + " rows each); nothing was copied",
                                    null);
                        }
                        copied.put(t, new Copied(n, want));
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

    /** The table's columns, lower case, in the source's order (both sides are read and written by these names). */
    private static List<String> columns(Connection source, String table) throws SQLException {
        try (Statement s = source.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                columns.add(md.getColumnName(i).toLowerCase(Locale.ROOT));
            }
            return columns;
        }
    }

    private static long copyTable(Connection source, Connection target, String table, List<String> columns)
            throws SQLException {
        long rows = 0;
        String list = String.join(", ", columns);
        try (Statement s = source.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + list + " FROM " + table)) {
            ResultSetMetaData md = rs.getMetaData();
            int n = columns.size();
            String insert = "INSERT INTO " + table + " (" + list + ") VALUES ("
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

    /**
     * A checksum of a table's rows that does not depend on their order or on the database: each row's values in a
     * canonical text form (integers in decimal, timestamps as UTC instants, bytes in hex, NULL marked) hashed with
     * SHA-256, and the row hashes added up lane by lane (four 64-bit lanes, modulo 2^64), so a large table needs no
     * sorting and constant memory. Two databases holding the same rows give the same value; a row missing, added,
     * or with any value changed gives another (short of a SHA-256 collision).
     */
    static String checksum(Connection c, String table, List<String> columns) throws SQLException {
        long[] lanes = new long[4];
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + String.join(", ", columns) + " FROM " + table)) {
            ResultSetMetaData md = rs.getMetaData();
            StringBuilder row = new StringBuilder();
            while (rs.next()) {
                row.setLength(0);
                for (int i = 1; i <= columns.size(); i++) {
                    row.append(canonical(value(rs, i, md.getColumnType(i)))).append('\u001f');
                }
                ByteBuffer h = ByteBuffer.wrap(sha.digest(row.toString().getBytes(StandardCharsets.UTF_8)));
                for (int l = 0; l < lanes.length; l++) {
                    lanes[l] += h.getLong();
                }
            }
        }
        return String.format("%016x%016x%016x%016x", lanes[0], lanes[1], lanes[2], lanes[3]);
    }

    /** One value in the checksum's canonical form (the same whichever driver read it). */
    private static String canonical(Object v) {
        if (v == null) {
            return "\u0000";
        }
        if (v instanceof byte[] b) {
            return "x" + HexFormat.of().formatHex(b);
        }
        if (v instanceof OffsetDateTime t) {
            return "t" + t.toInstant();
        }
        if (v instanceof java.sql.Timestamp t) {
            // pgjdbc reports a TIMESTAMP WITH TIME ZONE column as TIMESTAMP and reads it as a Timestamp: the same
            // instant as H2's OffsetDateTime
            return "t" + t.toInstant();
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return "n" + ((Number) v).longValue();
        }
        if (v instanceof BigDecimal d) {
            return "n" + d.stripTrailingZeros().toPlainString();
        }
        if (v instanceof Number n) {
            return "f" + n.doubleValue();
        }
        if (v instanceof Boolean b) {
            return "b" + b;
        }
        return "s" + v;
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
