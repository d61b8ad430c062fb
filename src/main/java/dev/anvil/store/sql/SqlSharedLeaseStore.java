package dev.anvil.store.sql;

import dev.anvil.core.lease.Lease;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv4Range;
import dev.anvil.core.node.MacAddress;
import dev.anvil.store.SharedLeaseStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link SharedLeaseStore} in PostgreSQL's SQL (table {@code leases}, V16). Claims are one statement each: fresh
 * addresses by an insert that skips existing keys ({@code ON CONFLICT DO NOTHING}: of two instances inserting one
 * address at once, the second waits for the first and inserts nothing), unheld ones by an update of rows picked
 * with {@code FOR UPDATE SKIP LOCKED}. Every write takes the next {@code lease_seq}.
 */
public final class SqlSharedLeaseStore implements SharedLeaseStore {
    private static final String COLUMNS = "network, ip, holder, mac, state, expires, seq";
    /** Unheld addresses of a pool, the longest free first, each row locked or skipped. */
    private static final String UNHELD = "UPDATE leases SET holder = ?, seq = nextval('lease_seq')"
            + " WHERE (network, ip) IN (SELECT network, ip FROM leases WHERE network = ? AND ip BETWEEN ? AND ?"
            + " AND holder IS NULL ORDER BY expires NULLS FIRST LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS;

    /** Leases, a batch in one statement; an address another instance holds is left as it is. */
    private static final String RECORD = "INSERT INTO leases (" + COLUMNS + ")"
            + " SELECT n, i, ?, m, s, to_timestamp(e / 1000.0), nextval('lease_seq')"
            + " FROM unnest(?::varchar[], ?::bigint[], ?::bigint[], ?::varchar[], ?::bigint[]) AS t(n, i, m, s, e)"
            + " ON CONFLICT (network, ip) DO UPDATE SET mac = EXCLUDED.mac, state = EXCLUDED.state,"
            + " expires = EXCLUDED.expires, seq = EXCLUDED.seq, holder = COALESCE(leases.holder, EXCLUDED.holder)"
            + " WHERE leases.holder IS NULL OR leases.holder = EXCLUDED.holder";

    private final Jdbc jdbc;

    public SqlSharedLeaseStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Row> claim(String self, String network, Ipv4Range pool, Ipv4Address from, int count) {
        long start = pool.start().unsigned();
        long end = pool.end().unsigned();
        long first = from.unsigned() >= start && from.unsigned() <= end ? from.unsigned() : start;
        return jdbc.tx(c -> {
            List<Row> out = new ArrayList<>();
            fresh(c, self, network, first, end, count, out);
            if (out.size() < count && first > start) {
                fresh(c, self, network, start, first - 1, count - out.size(), out);
            }
            if (out.size() < count) {
                try (PreparedStatement p = c.prepareStatement(UNHELD)) {
                    p.setString(1, self);
                    p.setString(2, network);
                    p.setLong(3, start);
                    p.setLong(4, end);
                    p.setInt(5, count - out.size());
                    read(p, out);
                }
            }
            return out;
        });
    }

    /**
     * Never-claimed addresses from {@code from} to {@code to}, at most {@code count}: each statement takes a window
     * of candidates less the addresses the table has in that range ({@code EXCEPT}: one pass over each side, whatever
     * the table's statistics say; an anti-join against a table the planner believes empty walks the table once per
     * candidate), the lowest first, and the primary key skips any a peer inserted meanwhile ({@code ON CONFLICT DO
     * NOTHING}). The window is what is still wanted; after a window with nothing free it grows fourfold (to 16,384),
     * so a region claimed by peers is crossed in a few statements.
     */
    private static void fresh(Connection c, String self, String network, long from, long to, int count, List<Row> out)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO leases (network, ip, holder, seq)"
                + " SELECT ?, f.ip, ?, nextval('lease_seq') FROM (SELECT g AS ip FROM generate_series(?::bigint,"
                + " ?::bigint) AS g EXCEPT SELECT ip FROM leases WHERE network = ? AND ip BETWEEN ? AND ?"
                + " ORDER BY 1 LIMIT ?) AS f ON CONFLICT DO NOTHING RETURNING " + COLUMNS)) {
            int wanted = out.size() + count;
            long window = count;
            for (long lo = from; lo <= to && out.size() < wanted; ) {
                long hi = Math.min(to, lo + window - 1);
                int before = out.size();
                p.setString(1, network);
                p.setString(2, self);
                p.setLong(3, lo);
                p.setLong(4, hi);
                p.setString(5, network);
                p.setLong(6, lo);
                p.setLong(7, hi);
                p.setInt(8, wanted - out.size());
                read(p, out);
                lo = hi + 1;
                window = out.size() == before ? Math.min(16_384, window * 4) : Math.max(1, wanted - out.size());
            }
        }
    }

    @Override
    public List<Row> adopt(String self, Collection<String> holders, Instant goneBefore) {
        List<String> others = holders.stream().filter(h -> !h.equals(self)).toList();
        if (others.isEmpty()) {
            return List.of();
        }
        return jdbc.tx(c -> {
            List<Row> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("UPDATE leases SET holder = ?, seq = nextval('lease_seq')"
                    + " WHERE (network, ip) IN (SELECT l.network, l.ip FROM leases l WHERE l.holder = ANY(?)"
                    + " AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = l.holder AND i.heartbeat_at >= ?)"
                    + " FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS)) {
                p.setString(1, self);
                p.setArray(2, c.createArrayOf("varchar", others.toArray(new String[0])));
                p.setObject(3, OffsetDateTime.ofInstant(goneBefore, ZoneOffset.UTC));
                read(p, out);
            }
            return out;
        });
    }

    @Override
    public void record(String self, Collection<Lease> leases) {
        if (leases.isEmpty()) {
            return;
        }
        int n = leases.size();
        String[] networks = new String[n];
        Long[] ips = new Long[n];
        Long[] macs = new Long[n];
        String[] states = new String[n];
        Long[] expires = new Long[n];
        int i = 0;
        for (Lease l : leases) {
            networks[i] = l.network();
            ips[i] = l.ip().unsigned();
            macs[i] = l.mac().bits();
            states[i] = l.state().name();
            expires[i] = l.expires().toEpochMilli();
            i++;
        }
        // One statement for the whole batch (arrays unnested on the server): a burst of ACKs costs one round trip.
        // The batch holds one lease per address (PoolSharing coalesces them), as ON CONFLICT DO UPDATE requires.
        jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement(RECORD)) {
                p.setString(1, self);
                p.setArray(2, c.createArrayOf("varchar", networks));
                p.setArray(3, c.createArrayOf("bigint", ips));
                p.setArray(4, c.createArrayOf("bigint", macs));
                p.setArray(5, c.createArrayOf("varchar", states));
                p.setArray(6, c.createArrayOf("bigint", expires));
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<Row> changedSince(long after, Optional<String> exceptHolder, int limit) {
        return jdbc.read(c -> {
            List<Row> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM leases WHERE seq > ?"
                    + " AND (CAST(? AS VARCHAR) IS NULL OR holder IS DISTINCT FROM ?) ORDER BY seq LIMIT ?")) {
                p.setLong(1, after);
                p.setString(2, exceptHolder.orElse(null));
                p.setString(3, exceptHolder.orElse(null));
                p.setInt(4, limit);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(row(r));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public int release(String self, Instant now) {
        return jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE leases SET holder = NULL, seq = nextval('lease_seq')"
                    + " WHERE holder = ? AND (mac IS NULL OR state <> 'ACTIVE' OR expires <= ?)")) {
                p.setString(1, self);
                p.setObject(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                return p.executeUpdate();
            }
        });
    }

    @Override
    public void want(String self, String network, boolean wanting) {
        jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    wanting
                            ? "INSERT INTO pool_wants (network, instance, wanted_at) VALUES (?, ?, CURRENT_TIMESTAMP)"
                                    + " ON CONFLICT (network, instance) DO UPDATE SET wanted_at = EXCLUDED.wanted_at"
                            : "DELETE FROM pool_wants WHERE network = ? AND instance = ?")) {
                p.setString(1, network);
                p.setString(2, self);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Set<String> wanted(String self, Duration within) {
        return jdbc.read(c -> {
            Set<String> out = new TreeSet<>();
            // The database's clock on both sides: the instances' clocks may differ.
            try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT network FROM pool_wants WHERE instance <> ?"
                    + " AND wanted_at >= CURRENT_TIMESTAMP - ? * INTERVAL '1 millisecond'")) {
                p.setString(1, self);
                p.setLong(2, within.toMillis());
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(r.getString(1));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public int giveBack(String self, String network, Collection<Ipv4Address> ips) {
        if (ips.isEmpty()) {
            return 0;
        }
        Long[] addresses = ips.stream().map(Ipv4Address::unsigned).toArray(Long[]::new);
        return jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE leases SET holder = NULL, seq = nextval('lease_seq')"
                    + " WHERE network = ? AND holder = ? AND ip = ANY(?)")) {
                p.setString(1, network);
                p.setString(2, self);
                p.setArray(3, c.createArrayOf("bigint", addresses));
                return p.executeUpdate();
            }
        });
    }

    private static void read(PreparedStatement p, List<Row> out) throws SQLException {
        p.execute();
        try (ResultSet r = p.getResultSet()) {
            while (r != null && r.next()) {
                out.add(row(r));
            }
        }
    }

    private static Row row(ResultSet r) throws SQLException {
        String network = r.getString("network");
        Ipv4Address ip = Ipv4Address.ofUnsigned(r.getLong("ip"));
        long mac = r.getLong("mac");
        Optional<Lease> lease = r.wasNull()
                ? Optional.empty()
                : Optional.of(new Lease(
                        ip,
                        new MacAddress(mac),
                        network,
                        r.getObject("expires", OffsetDateTime.class).toInstant(),
                        Lease.State.valueOf(r.getString("state"))));
        return new Row(network, ip, Optional.ofNullable(r.getString("holder")), lease, r.getLong("seq"));
    }
}
