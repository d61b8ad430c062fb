package dev.anvil.store.sql;

import dev.anvil.core.ConflictException;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv4Cidr;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkDraft;
import dev.anvil.store.NetworkStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

final class SqlNetworkStore implements NetworkStore {
    private static final String COLUMNS =
            "name, net_id, cidr, static_range, dhcp_pool, router, domain, v6prefix, " + "server_address, proxy_dhcp";

    private final Jdbc jdbc;
    /**
     * Serializes the writes that can change which addresses a network covers, so two concurrent creates cannot
     * both pass {@link #refuseOverlap} (READ COMMITTED: a phantom insert is not locked out). One process owns the
     * database (an H2 file, or a PostgreSQL one until several instances share it: issue 20); a shared database
     * would need an exclusion constraint instead.
     */
    private final Object cidrWrites = new Object();

    SqlNetworkStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<Network> list() {
        return jdbc.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM networks ORDER BY net_id");
                    ResultSet rs = p.executeQuery()) {
                List<Network> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row(rs));
                }
                return out;
            }
        });
    }

    @Override
    public Optional<Network> get(String name) {
        return jdbc.read(c -> select(c, name, false));
    }

    /** The network, optionally locked for the rest of the transaction (serializes address allocation). */
    static Optional<Network> select(Connection c, String name, boolean forUpdate) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM networks WHERE name = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public void create(Network n) {
        synchronized (cidrWrites) {
            jdbc.tx(c -> {
                refuseOverlap(c, n);
                insert(c, n);
                return null;
            });
        }
    }

    @Override
    public void put(Network n) {
        synchronized (cidrWrites) {
            putChecked(n);
        }
    }

    private void putChecked(Network n) {
        jdbc.tx(c -> {
            refuseOverlap(c, n);
            if (select(c, n.name(), true).isEmpty()) {
                insert(c, n);
                return null;
            }
            try (PreparedStatement p = c.prepareStatement("SELECT ipv4 FROM node_addresses WHERE network = ?")) {
                p.setString(1, n.name());
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        Ipv4Address a = Ipv4Address.ofUnsigned(rs.getLong(1));
                        Optional<String> why = n.whyNotReservable(a);
                        if (why.isPresent()) {
                            throw new ConflictException(
                                    "networks",
                                    "cannot change network " + n.name() + ": a node holds " + a + ", and " + why.get());
                        }
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE networks SET net_id = ?, cidr = ?, static_range = ?, "
                    + "dhcp_pool = ?, router = ?, domain = ?, v6prefix = ?, server_address = ?, proxy_dhcp = ? "
                    + "WHERE name = ?")) {
                NetworkDraft d = n.toDraft();
                p.setInt(1, d.id());
                p.setString(2, d.cidr());
                p.setString(3, d.staticRange());
                p.setString(4, d.dhcpPool());
                p.setString(5, d.router());
                p.setString(6, d.domain());
                p.setString(7, d.v6prefix());
                p.setString(8, d.serverAddress());
                p.setBoolean(9, n.proxyDhcp());
                p.setString(10, d.name());
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void delete(String name) {
        jdbc.tx(c -> {
            if (select(c, name, true).isEmpty()) {
                throw new NotFoundException("no network named " + name);
            }
            int users = count(c, name);
            if (users > 0) {
                throw new ConflictException("name", "network " + name + " is in use by " + users + " node(s)");
            }
            try (PreparedStatement p = c.prepareStatement("DELETE FROM networks WHERE name = ?")) {
                p.setString(1, name);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public int countNodes(String name) {
        return jdbc.read(c -> count(c, name));
    }

    private static int count(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM node_addresses WHERE network = ?")) {
            p.setString(1, name);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * A packet's network is found by address, so two networks holding one address would be ambiguous: refused
     * ({@link ConflictException} on {@code cidr}), as the configuration refuses it at start.
     */
    private static void refuseOverlap(Connection c, Network n) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT name, cidr FROM networks WHERE name <> ?")) {
            p.setString(1, n.name());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    Ipv4Cidr other = Ipv4Cidr.parse(rs.getString(2));
                    if (other.overlaps(n.cidr())) {
                        throw new ConflictException(
                                "cidr",
                                n.cidr() + " overlaps network " + rs.getString(1) + " (" + other
                                        + "): a client's address would belong to both");
                    }
                }
            }
        }
    }

    private static void insert(Connection c, Network n) throws SQLException {
        NetworkDraft d = n.toDraft();
        try (PreparedStatement p =
                c.prepareStatement("INSERT INTO networks (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, d.name());
            p.setInt(2, d.id());
            p.setString(3, d.cidr());
            p.setString(4, d.staticRange());
            p.setString(5, d.dhcpPool());
            p.setString(6, d.router());
            p.setString(7, d.domain());
            p.setString(8, d.v6prefix());
            p.setString(9, d.serverAddress());
            p.setBoolean(10, n.proxyDhcp());
            p.executeUpdate();
        }
    }

    private static Network row(ResultSet rs) throws SQLException {
        return new NetworkDraft(
                        rs.getString(1),
                        rs.getInt(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getString(9),
                        rs.getBoolean(10))
                .validate();
    }
}
