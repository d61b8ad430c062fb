package dev.anvil.store.sql;

import dev.anvil.store.InstanceStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

final class SqlInstanceStore implements InstanceStore {
    private final Jdbc jdbc;

    SqlInstanceStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Instance> register(String id, Instant now) {
        return jdbc.tx(c -> {
            Optional<Instance> before = select(c, id).stream().findFirst();
            upsert(c, id, now, now);
            return before;
        });
    }

    @Override
    public void beat(String id, Instant now) {
        jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE instances SET heartbeat_at = ? WHERE id = ?")) {
                p.setObject(1, time(now));
                p.setString(2, id);
                if (p.executeUpdate() == 0) {
                    upsert(c, id, now, now);
                }
            }
            return null;
        });
    }

    @Override
    public List<Instance> list() {
        return jdbc.read(c -> select(c, null));
    }

    @Override
    public void remove(String id) {
        jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM instances WHERE id = ?")) {
                p.setString(1, id);
                p.executeUpdate();
            }
            return null;
        });
    }

    private void upsert(Connection c, String id, Instant started, Instant beat) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement(jdbc.dialect().upsert("instances", "id", "id, started_at, heartbeat_at"))) {
            p.setString(1, id);
            p.setObject(2, time(started));
            p.setObject(3, time(beat));
            p.executeUpdate();
        }
    }

    /** The row of {@code id}, or every row (by id) when it is null. */
    private static List<Instance> select(Connection c, String id) throws SQLException {
        String sql =
                "SELECT id, started_at, heartbeat_at FROM instances" + (id == null ? " ORDER BY id" : " WHERE id = ?");
        List<Instance> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            if (id != null) {
                p.setString(1, id);
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Instance(
                            rs.getString(1),
                            rs.getObject(2, OffsetDateTime.class).toInstant(),
                            rs.getObject(3, OffsetDateTime.class).toInstant()));
                }
            }
        }
        return out;
    }

    private static OffsetDateTime time(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
