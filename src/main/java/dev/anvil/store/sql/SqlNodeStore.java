package dev.anvil.store.sql;

import dev.anvil.core.NotFoundException;
import dev.anvil.core.lease.LeaseHolds;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.HistoryEntry;
import dev.anvil.core.node.HostKey;
import dev.anvil.core.node.HostKeyMismatch;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeState;
import dev.anvil.core.node.Transition;
import dev.anvil.store.NodeQuery;
import dev.anvil.store.NodeStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link NodeStore} in SQL: every method one transaction ({@link Jdbc#tx}), addresses through {@link
 * AddressAllocator}.
 *
 * <p>Size: over 300 lines because one table family's SQL (nodes, MACs, addresses, history, host keys,
 * inventory) is kept in one place.
 */
final class SqlNodeStore implements NodeStore {
    private static final String NODE_COLUMNS =
            "id, name, boot_env, target_os, alive, available, state, created_at, updated_at";

    private final Jdbc jdbc;

    SqlNodeStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Node create(NodeDraft d, Instant now, LeaseHolds holds) {
        return jdbc.tx(c -> insert(c, d, now, holds));
    }

    @Override
    public Updated createThen(
            NodeDraft d,
            Optional<String> inventoryJson,
            java.util.function.Function<Node, Transition> then,
            Instant now,
            LeaseHolds holds) {
        return jdbc.tx(c -> {
            Node created = insert(c, d, now, holds);
            if (inventoryJson.isPresent()) {
                upsertInventory(c, created.id(), inventoryJson.get(), now);
            }
            Transition t = then.apply(created);
            Node after = apply(c, created, t.change(), now, holds);
            record(c, created.id(), Optional.of(created.state()), after.state(), t, now);
            return new Updated(created, after);
        });
    }

    private static Node insert(Connection c, NodeDraft d, Instant now, LeaseHolds holds) throws SQLException {
        long id = Jdbc.nextId(c, "nodes");
        try (PreparedStatement p = c.prepareStatement("INSERT INTO nodes (id, name, boot_env, target_os, alive, "
                + "available, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setLong(1, id);
            p.setString(2, d.name());
            p.setString(3, d.bootEnv());
            p.setString(4, d.targetOs().orElse(null));
            p.setBoolean(5, false);
            p.setBoolean(6, d.available());
            p.setString(7, d.state().name());
            p.setObject(8, time(now));
            p.setObject(9, time(now));
            p.executeUpdate();
        }
        insertMacs(c, id, d.macs());
        record(
                c,
                id,
                Optional.empty(),
                d.state(),
                new Transition(NodeChange.none(), "create", d.actor(), Optional.empty()),
                now);
        AddressAllocator.allocate(c, id, d.addresses(), d.macs(), holds);
        return load(c, "id = ?", id).get(0);
    }

    @Override
    public Optional<Node> get(String name) {
        return jdbc.read(c -> load(c, "name = ?", name).stream().findFirst());
    }

    @Override
    public Optional<Node> byId(long id) {
        return jdbc.read(c -> load(c, "id = ?", id).stream().findFirst());
    }

    @Override
    public Optional<Node> findByMac(MacAddress mac) {
        return jdbc.read(c -> load(c, "id = (SELECT node_id FROM node_macs WHERE mac = ?)", mac.toString()).stream()
                .findFirst());
    }

    @Override
    public List<Node> list(NodeQuery q) {
        return jdbc.read(c -> {
            String where = "1 = 1";
            List<Object> args = new ArrayList<>();
            if (q.state().isPresent()) {
                where += " AND state = ?";
                args.add(q.state().get().name());
            }
            if (q.bootEnv().isPresent()) {
                where += " AND boot_env = ?";
                args.add(q.bootEnv().get());
            }
            return load(c, where, args.toArray());
        });
    }

    @Override
    public Updated update(String name, NodeChange ch, Instant now, LeaseHolds holds) {
        return jdbc.tx(c -> {
            Node before = load(c, "id = ?", lock(c, name)).get(0);
            return new Updated(before, apply(c, before, ch, now, holds));
        });
    }

    @Override
    public Updated transition(
            String name, java.util.function.Function<Node, Transition> decide, Instant now, LeaseHolds holds) {
        return jdbc.tx(c -> transition(c, name, decide, now, holds));
    }

    @Override
    public Updated transitionReporting(
            String name,
            String inventoryJson,
            java.util.function.Function<Node, Transition> decide,
            Instant now,
            LeaseHolds holds) {
        return jdbc.tx(c -> {
            Updated u = transition(c, name, decide, now, holds);
            upsertInventory(c, u.after().id(), inventoryJson, now);
            return u;
        });
    }

    private Updated transition(
            Connection c,
            String name,
            java.util.function.Function<Node, Transition> decide,
            Instant now,
            LeaseHolds holds)
            throws SQLException {
        Node before = load(c, "id = ?", lock(c, name)).get(0);
        Transition t = decide.apply(before);
        Node after = apply(c, before, t.change(), now, holds);
        record(c, before.id(), Optional.of(before.state()), after.state(), t, now);
        return new Updated(before, after);
    }

    @Override
    public List<HistoryEntry> history(long nodeId) {
        return jdbc.read(c -> {
            List<HistoryEntry> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT at, from_state, to_state, event, actor, reason "
                    + "FROM node_history WHERE node_id = ? ORDER BY id")) {
                p.setLong(1, nodeId);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new HistoryEntry(
                                rs.getObject(1, OffsetDateTime.class).toInstant(),
                                Optional.ofNullable(rs.getString(2)).map(NodeState::valueOf),
                                NodeState.valueOf(rs.getString(3)),
                                rs.getString(4),
                                rs.getString(5),
                                Optional.ofNullable(rs.getString(6))));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void putInventory(long nodeId, String json, Instant now) {
        jdbc.tx(c -> {
            upsertInventory(c, nodeId, json, now);
            return null;
        });
    }

    private void upsertInventory(Connection c, long nodeId, String json, Instant now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                jdbc.dialect().upsert("node_inventory", "node_id", "node_id, inventory, reported_at"))) {
            p.setLong(1, nodeId);
            p.setString(2, json);
            p.setObject(3, time(now));
            p.executeUpdate();
        }
    }

    @Override
    public Optional<String> inventory(long nodeId) {
        return jdbc.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT inventory FROM node_inventory WHERE node_id = ?")) {
                p.setLong(1, nodeId);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    private static void record(
            Connection c, long nodeId, Optional<NodeState> from, NodeState to, Transition t, Instant now)
            throws SQLException {
        long id = Jdbc.nextId(c, "node_history");
        try (PreparedStatement p =
                c.prepareStatement("INSERT INTO node_history (id, node_id, at, from_state, to_state, "
                        + "event, actor, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setLong(1, id);
            p.setLong(2, nodeId);
            p.setObject(3, time(now));
            p.setString(4, from.map(Enum::name).orElse(null));
            p.setString(5, to.name());
            p.setString(6, t.event());
            p.setString(7, t.actor());
            p.setString(
                    8,
                    t.reason()
                            .map(r -> r.length() > 1024 ? r.substring(0, 1024) : r)
                            .orElse(null));
            p.executeUpdate();
        }
    }

    private static Node apply(Connection c, Node before, NodeChange ch, Instant now, LeaseHolds holds)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE nodes SET name = ?, boot_env = ?, target_os = ?, "
                + "alive = ?, available = ?, state = ?, updated_at = ? WHERE id = ?")) {
            p.setString(1, ch.name().orElse(before.name()));
            p.setString(2, ch.bootEnv().orElse(before.bootEnv()));
            p.setString(3, ch.targetOs().orElse(before.targetOs()).orElse(null));
            p.setBoolean(4, ch.alive().orElse(before.alive()));
            p.setBoolean(5, ch.available().orElse(before.available()));
            p.setString(6, ch.state().orElse(before.state()).name());
            p.setObject(7, time(now));
            p.setLong(8, before.id());
            p.executeUpdate();
        }
        if (ch.macs().isPresent()) {
            execute(c, "DELETE FROM node_macs WHERE node_id = ?", before.id());
            insertMacs(c, before.id(), ch.macs().get());
        }
        if (ch.reserveOn().isPresent() && before.addressOn(ch.reserveOn().get()).isEmpty()) {
            AddressAllocator.allocate(
                    c,
                    before.id(),
                    java.util.Map.of(ch.reserveOn().get(), Optional.empty()),
                    ch.macs().orElse(before.macs()),
                    holds);
        }
        if (ch.hostKeys().isPresent()) {
            execute(c, "DELETE FROM node_host_keys WHERE node_id = ?", before.id());
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO node_host_keys (node_id, position, key_type, key_data) VALUES (?, ?, ?, ?)")) {
                List<HostKey> keys = ch.hostKeys().get();
                for (int i = 0; i < keys.size(); i++) {
                    p.setLong(1, before.id());
                    p.setInt(2, i);
                    p.setString(3, keys.get(i).type());
                    p.setString(4, keys.get(i).base64());
                    p.executeUpdate();
                }
            }
        }
        if (ch.hostKeyMismatch().isPresent()) {
            execute(c, "DELETE FROM node_host_key_mismatch WHERE node_id = ?", before.id());
            if (ch.hostKeyMismatch().get().isPresent()) {
                HostKeyMismatch m = ch.hostKeyMismatch().get().get();
                try (PreparedStatement p = c.prepareStatement("INSERT INTO node_host_key_mismatch (node_id, key_type, "
                        + "fingerprint, seen_at) VALUES (?, ?, ?, ?)")) {
                    p.setLong(1, before.id());
                    p.setString(2, m.type().length() > 1024 ? m.type().substring(0, 1024) : m.type());
                    p.setString(3, m.fingerprint().orElse(null));
                    p.setObject(4, time(m.at()));
                    p.executeUpdate();
                }
            }
        }
        return load(c, "id = ?", before.id()).get(0);
    }

    @Override
    public Node delete(String name) {
        return jdbc.tx(c -> {
            Node node = load(c, "id = ?", lock(c, name)).get(0);
            execute(c, "DELETE FROM nodes WHERE id = ?", node.id());
            return node;
        });
    }

    /** Runs {@code sql} with the node's id as its one parameter. */
    private static void execute(Connection c, String sql, long nodeId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, nodeId);
            p.executeUpdate();
        }
    }

    @Override
    public Map<NodeState, Long> countByState() {
        return jdbc.read(c -> {
            Map<NodeState, Long> out = new EnumMap<>(NodeState.class);
            try (PreparedStatement p = c.prepareStatement("SELECT state, COUNT(*) FROM nodes GROUP BY state");
                    ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.put(NodeState.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return out;
        });
    }

    /** Locks the node's row for the rest of the transaction and returns its id. */
    private static long lock(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT id FROM nodes WHERE name = ? FOR UPDATE")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new NotFoundException("no node named " + name);
                }
                return rs.getLong(1);
            }
        }
    }

    private static void insertMacs(Connection c, long nodeId, List<MacAddress> macs) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("INSERT INTO node_macs (mac, node_id, position) VALUES (?, ?, ?)")) {
            for (int i = 0; i < macs.size(); i++) {
                p.setString(1, macs.get(i).toString());
                p.setLong(2, nodeId);
                p.setInt(3, i);
                p.executeUpdate();
            }
        }
    }

    /** Loads nodes matching a WHERE clause, with their MACs and addresses, in id order. */
    private static List<Node> load(Connection c, String where, Object... args) throws SQLException {
        Map<Long, Object[]> rows = new LinkedHashMap<>();
        try (PreparedStatement p =
                c.prepareStatement("SELECT " + NODE_COLUMNS + " FROM nodes WHERE " + where + " ORDER BY id")) {
            bind(p, args);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), new Object[] {
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getBoolean(5),
                        rs.getBoolean(6),
                        rs.getString(7),
                        rs.getObject(8, OffsetDateTime.class),
                        rs.getObject(9, OffsetDateTime.class)
                    });
                }
            }
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<Long, List<MacAddress>> macs = new HashMap<>();
        Map<Long, List<NodeAddress>> addrs = new HashMap<>();
        // One node: its id as a parameter, so the four statements below are the same text for every node and
        // come from the connection's statement cache instead of being parsed again (a literal id made each new).
        String ids = rows.size() == 1 ? "= ?" : "IN (SELECT id FROM nodes WHERE " + where + ")";
        Object[] subArgs =
                rows.size() == 1 ? new Object[] {rows.keySet().iterator().next()} : args;
        try (PreparedStatement p = c.prepareStatement(
                "SELECT node_id, mac FROM node_macs WHERE node_id " + ids + " ORDER BY node_id, position")) {
            bind(p, subArgs);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    macs.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(MacAddress.parse(rs.getString(2).trim()));
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT node_id, network, ipv4 FROM node_addresses WHERE "
                + "node_id " + ids + " ORDER BY node_id, network")) {
            bind(p, subArgs);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    addrs.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new NodeAddress(rs.getString(2), Ipv4Address.ofUnsigned(rs.getLong(3))));
                }
            }
        }
        Map<Long, List<HostKey>> hostKeys = new HashMap<>();
        try (PreparedStatement p = c.prepareStatement("SELECT node_id, key_type, key_data FROM node_host_keys WHERE "
                + "node_id " + ids + " ORDER BY node_id, position")) {
            bind(p, subArgs);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    hostKeys.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new HostKey(rs.getString(2), rs.getString(3)));
                }
            }
        }
        Map<Long, HostKeyMismatch> mismatches = new HashMap<>();
        try (PreparedStatement p = c.prepareStatement("SELECT node_id, key_type, fingerprint, seen_at FROM "
                + "node_host_key_mismatch WHERE node_id " + ids)) {
            bind(p, subArgs);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    mismatches.put(
                            rs.getLong(1),
                            new HostKeyMismatch(
                                    rs.getString(2),
                                    Optional.ofNullable(rs.getString(3)),
                                    rs.getObject(4, OffsetDateTime.class).toInstant()));
                }
            }
        }
        List<Node> out = new ArrayList<>(rows.size());
        rows.forEach((id, r) -> out.add(new Node(
                id,
                (String) r[0],
                macs.getOrDefault(id, List.of()),
                addrs.getOrDefault(id, List.of()),
                (String) r[1],
                Optional.ofNullable((String) r[2]),
                (Boolean) r[3],
                (Boolean) r[4],
                NodeState.valueOf((String) r[5]),
                ((OffsetDateTime) r[6]).toInstant(),
                ((OffsetDateTime) r[7]).toInstant(),
                hostKeys.getOrDefault(id, List.of()),
                Optional.ofNullable(mismatches.get(id)))));
        return out;
    }

    private static void bind(PreparedStatement p, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            p.setObject(i + 1, args[i]);
        }
    }

    private static OffsetDateTime time(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
