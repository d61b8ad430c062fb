package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import dev.anvil.store.pg.PostgresServer;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real daemon on a real PostgreSQL server (Debian's, started on loopback by {@link PostgresServer}), logging
 * in with a password from {@code store.passwordFile}: nodes made on the embedded H2 store are copied over by
 * {@code anvild migrate-store} (which then refuses a second copy into the non-empty database), land as rows in
 * PostgreSQL, a known node's DISCOVER is answered with its reserved address, pool clients get leases, and after a
 * clean stop and after a kill -9 (a node created just before it) the restarted daemon has every node and lease.
 */
class PgStoreIT {
    static final int POOL_CLIENTS = 10;

    @TempDir
    Path tmp;

    @Test
    void theDaemonKeepsItsStateInPostgresqlAcrossRestarts() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            String url = pg.createDatabase();
            int port = DhcpLoadIT.freeUdpPort();
            Path cfg = config(tmp, url, port);
            Path state = tmp.resolve("state");
            // First on the embedded H2 store: three nodes, then anvild migrate-store copies them into PostgreSQL.
            Path h2cfg = tmp.resolve("anvil-h2.yaml");
            Files.writeString(
                    h2cfg, Files.readString(cfg).substring(Files.readString(cfg).indexOf('\n') + 1));
            JsonNode nodes;
            try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", h2cfg.toString())) {
                for (int i = 0; i < 3; i++) {
                    Http.Reply r = d.api()
                            .post(
                                    "/api/v1/nodes",
                                    "{\"name\":\"pg" + i + ".lo.test\",\"macs\":[\"" + DhcpLoadIT.mac(i) + "\"]}");
                    assertEquals(201, r.status(), r.body());
                }
                nodes = d.api().get("/api/v1/nodes").json();
                d.stop();
            }
            String out = migrateStore(cfg, state, 0);
            assertTrue(out.contains("nodes: 3 rows"), out);
            out = migrateStore(cfg, state, 1);
            assertTrue(out.contains("not empty"), out);
            Map<Integer, Ipv4Address> leases;
            try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
                Http http = d.api();
                assertEquals(names(nodes), names(http.get("/api/v1/nodes").json()), "the copied nodes");
                JsonNode status = http.get("/api/v1/status").json();
                assertEquals("postgresql", status.at("/store/backend").asText(), status.toString());
                assertEquals(true, status.at("/store/ok").asBoolean(), status.toString());
                leases = dora(port);
                assertEquals(address(nodes, 0), leases.get(0), "a known node is offered its own address");
                d.stop();
            }
            assertEquals(3, count(pg, url, "nodes"), "the nodes are rows in PostgreSQL");
            try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
                assertEquals(names(nodes), names(d.api().get("/api/v1/nodes").json()), "after a clean stop");
                assertEquals(leases, dora(port), "every client keeps its address");
                Http.Reply r = d.api()
                        .post("/api/v1/nodes", "{\"name\":\"pg3.lo.test\",\"macs\":[\"" + DhcpLoadIT.mac(100) + "\"]}");
                assertEquals(201, r.status(), r.body()); // mac(100): no DHCP client here, so every lease stays as it is
                d.kill(); // kill -9: an acknowledged create is in PostgreSQL's WAL
            }
            try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
                JsonNode after = d.api().get("/api/v1/nodes").json();
                assertEquals(4, after.size(), after.toString());
                assertEquals(leases, dora(port), "and after a kill -9");
            }
        }
    }

    /**
     * {@code DIR/anvil.yaml}: the store in PostgreSQL at {@code url} (its password in a file), DHCP on 127.0.0.2:{@code
     * port} for a loopback network, no TFTP or DNS.
     */
    static Path config(Path dir, String url, int port) throws Exception {
        Path password = dir.resolve("db-password");
        Files.writeString(password, PostgresServer.PASSWORD + "\n");
        Path cfg = dir.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "store: {kind: postgresql, url: '" + url + "', user: " + PostgresServer.USER + ", passwordFile: "
                        + password + ", poolSize: 4}\n"
                        + "dhcp: {listen: \"127.0.0.2:" + port + "\"}\n"
                        + "tftp: {enabled: false}\n"
                        + "dns: {enabled: false}\n"
                        + "networks:\n"
                        + "  - {name: lo, id: 7, cidr: 127.0.0.0/8, staticRange: 127.0.0.10-127.0.0.99,\n"
                        + "     dhcpPool: 127.1.0.0-127.1.0.255, domain: lo.test, serverAddress: 127.0.0.2}\n");
        return cfg;
    }

    /** Runs {@code anvild migrate-store}; returns what it printed. */
    private static String migrateStore(Path cfg, Path state, int exit) throws Exception {
        Process p = new ProcessBuilder(
                        DaemonProcess.launcher().toString(),
                        "migrate-store",
                        "--config",
                        cfg.toString(),
                        "--state-dir",
                        state.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(exit, p.waitFor(), out);
        return out;
    }

    /** Each node's name with its addresses. */
    private static Map<String, String> names(JsonNode nodes) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (JsonNode n : nodes) {
            out.put(n.path("name").asText(), n.path("addresses").toString());
        }
        return out;
    }

    private static Ipv4Address address(JsonNode nodes, int i) {
        for (JsonNode n : nodes) {
            if (n.path("name").asText().startsWith("pg" + i + ".")) {
                return Ipv4Address.parse(n.at("/addresses/0/ipv4").asText());
            }
        }
        throw new AssertionError("no node pg" + i + " in " + nodes);
    }

    private static long count(PostgresServer pg, String url, String table) throws Exception {
        try (Connection c = pg.connect(url.substring(url.lastIndexOf('/') + 1));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** DISCOVER/OFFER/REQUEST/ACK for the three node MACs and {@link #POOL_CLIENTS} more, one at a time. */
    static Map<Integer, Ipv4Address> dora(int port) throws Exception {
        Map<Integer, Ipv4Address> acked = new LinkedHashMap<>();
        InetSocketAddress server = new InetSocketAddress(DhcpLoadIT.SERVER.toInetAddress(), port);
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress(DhcpLoadIT.RELAY.toInetAddress(), port));
            ch.socket().setSoTimeout(2000);
            for (int i = 0; i < 3 + POOL_CLIENTS; i++) {
                DhcpPacket offer = exchange(ch, server, DhcpLoadIT.packet(i, MessageType.DISCOVER, null), i);
                assertEquals(MessageType.OFFER, offer.options().messageType().orElseThrow());
                DhcpPacket ack = exchange(ch, server, DhcpLoadIT.packet(i, MessageType.REQUEST, offer.yiaddr()), i);
                assertEquals(MessageType.ACK, ack.options().messageType().orElseThrow());
                acked.put(i, ack.yiaddr());
            }
        }
        return acked;
    }

    private static DhcpPacket exchange(DatagramChannel ch, InetSocketAddress server, byte[] packet, int xid)
            throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            ch.send(ByteBuffer.wrap(packet), server);
            try {
                while (true) {
                    DatagramPacket dp = new DatagramPacket(new byte[2048], 2048);
                    ch.socket().receive(dp);
                    DhcpPacket p = DhcpCodec.decode(dp.getData(), 0, dp.getLength());
                    if (p.xid() == xid) {
                        return p;
                    }
                }
            } catch (SocketTimeoutException e) {
                // resend
            }
        }
        throw new AssertionError("no answer from the DHCP server for client " + xid);
    }
}
