package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpOptions;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two anvild on one real PostgreSQL, both answering DHCP for one network (issue 20, doc/scale-out.md "Redundant
 * DHCP"): Kea's perfdhcp hammers each at once as a relay on loopback, with its own 1,500 MACs, while the pool
 * (1,024 addresses) is smaller than the clients of both: every address claimed in the database by one instance
 * only, so no address is ever leased to two MACs; each instance learns the other's leases within seconds; and
 * when one is killed, the other takes its addresses over after the takeover timeout and renews its clients.
 */
class SharedPoolsIT {
    static final int CLIENTS = 1500;

    @TempDir
    Path tmp;

    @Test
    void twoInstancesUnderLoadNeverLeaseOneAddressTwice() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            Pair p = pair(pg, "127.1.0.0-127.1.3.255");
            int portA = p.portA();
            int portB = p.portB();
            try (DaemonProcess a = p.startA();
                    DaemonProcess b = p.startB()) {
                Process loadA = perfdhcp("127.0.0.1", portA, "00:0c:01:00:00:00", "127.0.0.2");
                Process loadB = perfdhcp("127.0.0.1", portB, "00:0c:02:00:00:00", "127.0.0.4");
                String outA = finish(loadA);
                String outB = finish(loadB);
                int acksA = acks(outA);
                int acksB = acks(outB);
                // The pool is smaller than both loads together: both instances leased, and together they used
                // nearly all of it (a client that asks again gets its own address back, so acks can exceed 1,024).
                assertTrue(acksA > 200, "instance a acked " + acksA + "\n" + outA + "\n" + a.log());
                assertTrue(acksB > 200, "instance b acked " + acksB + "\n" + outB + "\n" + b.log());

                Map<String, String> leasedA = active(a);
                Map<String, String> leasedB = active(b);
                // Each instance's view of every address names one MAC, and the two views never disagree.
                Map<String, String> union = new HashMap<>(leasedA);
                for (Map.Entry<String, String> e : leasedB.entrySet()) {
                    String other = union.putIfAbsent(e.getKey(), e.getValue());
                    assertTrue(
                            other == null || other.equals(e.getValue()),
                            e.getKey() + " leased to " + other + " by one instance and to " + e.getValue()
                                    + " by the other");
                }
                System.out.printf(
                        "SharedPoolsIT: acks a %d, b %d; active leases a %d, b %d, together %d%n",
                        acksA, acksB, leasedA.size(), leasedB.size(), union.size());
                Set<String> macsA = macs(leasedA, "00:0c:01");
                Set<String> macsB = macs(leasedB, "00:0c:02");
                assertTrue(union.size() > 900, "addresses leased in all: " + union.size());
                assertTrue(union.size() <= 1024, "more leases than pool addresses: " + union.size());
                // Each has learned the other's leases (read from the database every second).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < deadline
                        && !(active(a).values().containsAll(macsB)
                                && active(b).values().containsAll(macsA))) {
                    Thread.sleep(200);
                }
                assertTrue(active(a).values().containsAll(macsB), "a knows b's leases");
                assertTrue(active(b).values().containsAll(macsA), "b knows a's leases");
                JsonNode share = a.api().get("/api/v1/status").json().path("services");
                assertTrue(share.toString().contains("dhcp-share"), share.toString());

                // A dies (SIGKILL): once its heartbeat is older than the takeover timeout (3 s), B takes its
                // addresses over, leases and all, and renews A's client when it asks B.
                Map.Entry<String, String> client = leasedA.entrySet().stream()
                        .filter(e -> e.getValue().startsWith("00:0c:01"))
                        .findFirst()
                        .orElseThrow();
                a.kill();
                long killed = System.nanoTime();
                long until = killed + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < until && adopted(b) == 0) {
                    Thread.sleep(200);
                }
                long tookOver = adopted(b);
                assertTrue(tookOver > 0, "b took nothing over\n" + b.log());
                System.out.printf(
                        "SharedPoolsIT: b took over %d addresses %d ms after a was killed%n",
                        tookOver, (System.nanoTime() - killed) / 1_000_000);
                DhcpPacket ack = renew(portB, MacAddress.parse(client.getValue()), Ipv4Address.parse(client.getKey()));
                assertEquals(MessageType.ACK, ack.options().messageType().orElseThrow(), ack.toString());
                assertEquals(Ipv4Address.parse(client.getKey()), ack.yiaddr());
            }
        }
    }

    /**
     * Rebalancing: A holds a pool of 64 addresses whole (its first block) before B starts; B's claim finds nothing,
     * so B records a want, A gives back its unused addresses but 32 within seconds, and B claims and offers them
     * while A still offers the ones it kept.
     */
    @Test
    void anInstanceThatRanOutGetsTheAddressesItsPeerDoesNotUse() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            Pair p = pair(pg, "127.1.0.0-127.1.0.63");
            int portA = p.portA();
            int portB = p.portB();
            try (DaemonProcess a = p.startA()) {
                waitFor(() -> share(a).path("claimed").asLong() == 64, 15, "a claims the whole pool", a);
                try (DaemonProcess b = p.startB()) {
                    long started = System.nanoTime();
                    waitFor(() -> share(b).path("claimed").asLong() > 0, 20, "b gets addresses", b);
                    System.out.printf(
                            "SharedPoolsIT: b claimed %d addresses a gave back, %d ms after it started%n",
                            share(b).path("claimed").asLong(), (System.nanoTime() - started) / 1_000_000);
                    assertEquals(32, share(a).path("givenBack").asLong(), share(a).toString());
                    assertEquals(32, share(b).path("claimed").asLong(), share(b).toString());
                    waitFor(() -> share(b).path("wanting").isEmpty(), 5, "b's want withdrawn", b);

                    DhcpPacket fromB = exchange(portB, "127.0.0.4", discover(MacAddress.parse("02:00:00:00:0b:01")));
                    DhcpPacket fromA = exchange(portA, "127.0.0.2", discover(MacAddress.parse("02:00:00:00:0a:01")));
                    assertEquals(
                            MessageType.OFFER, fromB.options().messageType().orElseThrow(), fromB.toString());
                    assertEquals(
                            MessageType.OFFER, fromA.options().messageType().orElseThrow(), fromA.toString());
                    assertTrue(fromB.yiaddr().unsigned()
                                    >= Ipv4Address.parse("127.1.0.0").unsigned()
                            && fromB.yiaddr().unsigned()
                                    <= Ipv4Address.parse("127.1.0.63").unsigned());
                    assertTrue(!fromA.yiaddr().equals(fromB.yiaddr()), "one address offered by both");
                }
            }
        }
    }

    /** Two instances' configurations on one database: A listens on 127.0.0.2, B on 127.0.0.4. */
    private record Pair(Path tmp, Path cfgA, Path cfgB, int portA, int portB) {
        DaemonProcess startA() throws Exception {
            return DaemonProcess.start(tmp.resolve("a"), "127.0.0.1:0", "--config", cfgA.toString());
        }

        DaemonProcess startB() throws Exception {
            return startSecond(tmp.resolve("a"), tmp.resolve("b"), cfgB);
        }
    }

    private Pair pair(PostgresServer pg, String pool) throws Exception {
        String url = pg.createDatabase();
        Path password = tmp.resolve("db-password");
        Files.writeString(password, PostgresServer.PASSWORD + "\n");
        int portA = DhcpLoadIT.freeUdpPort();
        int portB = DhcpLoadIT.freeUdpPort();
        return new Pair(
                tmp,
                config("a", url, password, "127.0.0.2", portA, pool),
                config("b", url, password, "127.0.0.4", portB, pool),
                portA,
                portB);
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void waitFor(Check c, int seconds, String what, DaemonProcess d) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!c.holds()) {
            if (System.nanoTime() > until) {
                throw new AssertionError(what + ": not within " + seconds + " s\n" + share(d) + "\n" + d.log());
            }
            Thread.sleep(100);
        }
    }

    /** An instance's dhcp-share metrics. */
    private static JsonNode share(DaemonProcess d) throws Exception {
        return d.api()
                .get("/api/v1/status")
                .json()
                .path("services")
                .path("dhcp-share")
                .path("metrics");
    }

    /** A DISCOVER relayed from 127.0.0.3. */
    private static DhcpPacket discover(MacAddress mac) {
        return relayed(MessageType.DISCOVER, mac, DhcpPacket.ZERO_ADDRESS);
    }

    /** A client's message of {@code type} (with {@code ciaddr}, no other option) relayed from 127.0.0.3. */
    private static DhcpPacket relayed(MessageType type, MacAddress mac, Ipv4Address ciaddr) {
        return new DhcpPacket(
                1,
                1,
                6,
                1,
                4242,
                0,
                0,
                ciaddr,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                DhcpLoadIT.RELAY,
                java.util.Arrays.copyOf(mac.toBytes(), 16),
                new byte[64],
                new byte[128],
                DhcpOptions.builder()
                        .putByte(DhcpOption.MESSAGE_TYPE, type.code())
                        .build());
    }

    /** The second instance, with the first one's admin token (the store holds one admin token: the first's). */
    private static DaemonProcess startSecond(Path first, Path state, Path cfg) throws Exception {
        Files.createDirectories(state);
        Files.copy(first.resolve("admin-token"), state.resolve("admin-token"));
        return DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString());
    }

    /** The addresses instance {@code d} took over from instances that are gone (its dhcp-share status). */
    private static long adopted(DaemonProcess d) throws Exception {
        return share(d).path("adopted").asLong();
    }

    /** A renewal (RFC 2131 RENEWING: ciaddr, no server identifier) relayed from 127.0.0.3 to the instance at port. */
    private static DhcpPacket renew(int port, MacAddress mac, Ipv4Address ip) throws Exception {
        return exchange(port, "127.0.0.4", relayed(MessageType.REQUEST, mac, ip));
    }

    /** Sends {@code p} from the relay address to the instance listening at {@code host:port}; its answer. */
    private static DhcpPacket exchange(int port, String host, DhcpPacket p) throws Exception {
        byte[] req = DhcpCodec.encode(p);
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress(DhcpLoadIT.RELAY.toInetAddress(), port));
            ch.socket().setSoTimeout(2000);
            for (int attempt = 0; attempt < 5; attempt++) {
                ch.send(ByteBuffer.wrap(req), new InetSocketAddress(host, port));
                try {
                    DatagramPacket dp = new DatagramPacket(new byte[2048], 2048);
                    ch.socket().receive(dp);
                    return DhcpCodec.decode(dp.getData(), 0, dp.getLength());
                } catch (SocketTimeoutException e) {
                    // resend
                }
            }
        }
        throw new AssertionError("no answer from " + host + ":" + port + " to " + p);
    }

    private Path config(String name, String url, Path password, String listen, int port, String pool) throws Exception {
        Path cfg = tmp.resolve(name + ".yaml");
        Files.writeString(
                cfg,
                "store: {kind: postgresql, url: '" + url + "', user: " + PostgresServer.USER + ", passwordFile: "
                        + password + ", poolSize: 4, instance: " + name + ", heartbeatSeconds: 1, takeoverSeconds: 3}\n"
                        + "dhcp: {listen: \"" + listen + ":" + port + "\"}\n"
                        + "tftp: {enabled: false}\n"
                        + "dns: {enabled: false}\n"
                        + "networks:\n"
                        + "  - {name: lo, id: 7, cidr: 127.0.0.0/8, staticRange: 127.0.0.10-127.0.0.99,\n"
                        + "     dhcpPool: " + pool + ", domain: lo.test, serverAddress: 127.0.0.2}\n");
        return cfg;
    }

    /** perfdhcp as a relay at {@code relay} (its giaddr), its own MACs from {@code base}, 4-way, 1,000/s for 3 s. */
    private static Process perfdhcp(String relay, int port, String base, String server) throws Exception {
        return new ProcessBuilder(
                        "perfdhcp",
                        "-4",
                        "-l",
                        relay,
                        "-L",
                        Integer.toString(port),
                        "-N",
                        Integer.toString(port),
                        "-b",
                        "mac=" + base,
                        "-r",
                        "1000",
                        "-R",
                        Integer.toString(CLIENTS),
                        "-p",
                        "3",
                        "-W",
                        "2000000",
                        server)
                .redirectErrorStream(true)
                .start();
    }

    private static String finish(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "perfdhcp did not end");
        return out;
    }

    /** REQUEST-ACK received packets, from perfdhcp's statistics. */
    private static int acks(String out) {
        int at = out.indexOf("Statistics for: REQUEST-ACK");
        assertTrue(at >= 0, out);
        int rp = out.indexOf("received packets: ", at);
        int end = out.indexOf('\n', rp);
        return Integer.parseInt(
                out.substring(rp + "received packets: ".length(), end).trim());
    }

    /** The live (ACTIVE) leases an instance knows: address to MAC. */
    private static Map<String, String> active(DaemonProcess d) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (JsonNode l : d.api().get("/api/v1/leases").json()) {
            if ("ACTIVE".equalsIgnoreCase(l.path("state").asText())) {
                String old = out.put(l.path("ip").asText(), l.path("mac").asText());
                assertTrue(old == null, "two leases listed for " + l.path("ip").asText());
            }
        }
        return out;
    }

    private static Set<String> macs(Map<String, String> leases, String prefix) {
        Set<String> out = new HashSet<>();
        for (String mac : leases.values()) {
            if (mac.startsWith(prefix)) {
                out.add(mac);
            }
        }
        return out;
    }
}
