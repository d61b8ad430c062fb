package dev.anvil.store.sql;

import dev.anvil.core.ConflictException;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.dns.DnsRecord;
import dev.anvil.store.DnsRecordStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

final class SqlDnsRecordStore implements DnsRecordStore {
    private static final String COLUMNS = "SELECT id, name, type, data, ttl FROM dns_records";
    private final Jdbc jdbc;

    SqlDnsRecordStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<DnsRecord> list() {
        return jdbc.read(c -> select(c, COLUMNS + " ORDER BY id", null));
    }

    @Override
    public Optional<DnsRecord> get(long id) {
        return jdbc.read(c -> select(c, COLUMNS + " WHERE id = ?", id).stream().findFirst());
    }

    @Override
    public DnsRecord create(DnsRecord r) {
        return jdbc.tx(c -> {
            try (PreparedStatement p =
                    c.prepareStatement("SELECT 1 FROM dns_records WHERE name = ? AND type = ? " + "AND data = ?")) {
                p.setString(1, r.name());
                p.setString(2, r.type().name());
                p.setString(3, r.data());
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        throw new ConflictException(
                                "data", r.name() + " already has the " + r.type() + " record " + r.data());
                    }
                }
            }
            long id = Jdbc.nextId(c, "dns_records");
            try (PreparedStatement p =
                    c.prepareStatement("INSERT INTO dns_records (id, name, type, data, ttl) VALUES (?, ?, ?, ?, ?)")) {
                p.setLong(1, id);
                p.setString(2, r.name());
                p.setString(3, r.type().name());
                p.setString(4, r.data());
                p.setInt(5, r.ttl());
                p.executeUpdate();
            }
            return r.withId(id);
        });
    }

    @Override
    public DnsRecord delete(long id) {
        return jdbc.tx(c -> {
            DnsRecord r = select(c, COLUMNS + " WHERE id = ?", id).stream()
                    .findFirst()
                    .orElseThrow(() -> new NotFoundException("no DNS record " + id));
            try (PreparedStatement p = c.prepareStatement("DELETE FROM dns_records WHERE id = ?")) {
                p.setLong(1, id);
                p.executeUpdate();
            }
            return r;
        });
    }

    private static List<DnsRecord> select(Connection c, String sql, Long id) throws SQLException {
        List<DnsRecord> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            if (id != null) {
                p.setLong(1, id);
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new DnsRecord(
                            rs.getLong(1),
                            rs.getString(2),
                            DnsRecord.Type.valueOf(rs.getString(3)),
                            rs.getString(4),
                            rs.getInt(5)));
                }
            }
        }
        return out;
    }
}
