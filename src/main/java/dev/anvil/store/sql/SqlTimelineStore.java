package dev.anvil.store.sql;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.timeline.TimelineEvent;
import dev.anvil.store.TimelineStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@link TimelineStore} on the {@code node_timeline} table: a batch is one transaction, its ids taken at once. */
final class SqlTimelineStore implements TimelineStore {
    private final Jdbc jdbc;

    SqlTimelineStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public int append(List<Entry> entries, int perNode) {
        if (entries.isEmpty()) {
            return 0;
        }
        if (perNode < 1) {
            throw new IllegalArgumentException("perNode must be at least 1");
        }
        return jdbc.tx(c -> {
            long first = takeIds(c, entries.size());
            int stored = 0;
            Set<Long> nodes = new LinkedHashSet<>();
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO node_timeline (id, node_id, at, source, event, mac, address, detail) "
                            + "SELECT ?, id, ?, ?, ?, ?, ?, ? FROM nodes WHERE id = ?")) {
                long id = first;
                for (Entry e : entries) {
                    TimelineEvent t = e.event();
                    p.setLong(1, id++);
                    p.setObject(2, OffsetDateTime.ofInstant(t.at(), ZoneOffset.UTC));
                    p.setString(3, t.source().name());
                    p.setString(4, t.event());
                    setText(p, 5, t.mac().map(MacAddress::toString));
                    setText(p, 6, t.address().map(Ipv4Address::toString));
                    p.setString(7, t.detail());
                    p.setLong(8, e.nodeId());
                    int n = p.executeUpdate(); // 0: the node is gone
                    stored += n;
                    if (n > 0) {
                        nodes.add(e.nodeId());
                    }
                }
            }
            for (long node : nodes) {
                trim(c, node, perNode);
            }
            return stored;
        });
    }

    /** Deletes the node's events older than its newest {@code keep}. */
    private static void trim(Connection c, long node, int keep) throws SQLException {
        long oldestKept;
        try (PreparedStatement p = c.prepareStatement("SELECT id FROM node_timeline WHERE node_id = ? ORDER BY id DESC "
                + "OFFSET ? ROWS FETCH NEXT 1 ROW ONLY")) {
            p.setLong(1, node);
            p.setInt(2, keep - 1);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return; // no more than keep
                }
                oldestKept = rs.getLong(1);
            }
        }
        try (PreparedStatement p = c.prepareStatement("DELETE FROM node_timeline WHERE node_id = ? AND id < ?")) {
            p.setLong(1, node);
            p.setLong(2, oldestKept);
            p.executeUpdate();
        }
    }

    /** {@code n} consecutive ids of the {@code node_timeline} counter; returns the first. */
    private static long takeIds(Connection c, int n) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("UPDATE id_counters SET next_id = next_id + ? WHERE name = 'node_timeline'")) {
            p.setInt(1, n);
            if (p.executeUpdate() != 1) {
                throw new SQLException("no id counter node_timeline");
            }
        }
        try (PreparedStatement p =
                        c.prepareStatement("SELECT next_id - ? FROM id_counters WHERE name = 'node_timeline'");
                ResultSet rs = query(p, n)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static ResultSet query(PreparedStatement p, int n) throws SQLException {
        p.setInt(1, n);
        return p.executeQuery();
    }

    private static void setText(PreparedStatement p, int i, Optional<String> v) throws SQLException {
        if (v.isPresent()) {
            p.setString(i, v.get());
        } else {
            p.setNull(i, Types.VARCHAR);
        }
    }

    @Override
    public List<TimelineEvent> latest(long nodeId, int limit) {
        return jdbc.read(c -> {
            List<TimelineEvent> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT at, source, event, mac, address, detail FROM node_timeline WHERE node_id = ? "
                            + "ORDER BY id DESC FETCH FIRST ? ROWS ONLY")) {
                p.setLong(1, nodeId);
                p.setInt(2, limit);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new TimelineEvent(
                                rs.getObject(1, OffsetDateTime.class).toInstant(),
                                TimelineEvent.Source.valueOf(rs.getString(2)),
                                rs.getString(3),
                                Optional.ofNullable(rs.getString(4)).map(MacAddress::parse),
                                Optional.ofNullable(rs.getString(5)).map(Ipv4Address::parse),
                                rs.getString(6)));
                    }
                }
            }
            Collections.reverse(out);
            return out;
        });
    }
}
