package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpOptions;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 distinct MACs through full DISCOVER/OFFER/REQUEST/ACK exchanges, sent from 8 threads at once as a
 * relay agent on loopback (giaddr 127.0.0.3) to the real daemon on a high port: every ACK names a different
 * address, and after kill -9 and a restart (leases replayed from the journal) every client keeps its address.
 */
class DhcpLoadIT {
    static final int CLIENTS = 10_000;
    static final Ipv4Address RELAY = Ipv4Address.parse("127.0.0.3");
    static final Ipv4Address SERVER = Ipv4Address.parse("127.0.0.2");

    @TempDir
    Path tmp;

    static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0))) {
            return s.getLocalPort();
        }
    }

    static MacAddress mac(int i) {
        return new MacAddress(0x5254_0100_0000L + i);
    }

    static byte[] packet(int i, MessageType type, Ipv4Address requested) {
        DhcpOptions.Builder o = DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, type.code());
        if (requested != null) {
            o.put(DhcpOption.SERVER_ID, SERVER).put(DhcpOption.REQUESTED_IP, requested);
        }
        return DhcpCodec.encode(new DhcpPacket(
                1,
                1,
                6,
                1,
                i,
                0,
                0,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                RELAY,
                Arrays.copyOf(mac(i).toBytes(), 16),
                new byte[64],
                new byte[128],
                o.build()));
    }

    @Test
    void tenThousandConcurrentClientsNeverShareAnAddress() throws Exception {
        int port = freeUdpPort();
        Path cfg = tmp.resolve("anvil.yaml");
        Files.writeString(
                cfg,
                "dhcp: {listen: \"127.0.0.2:" + port + "\"}\n"
                        + "tftp: {enabled: false}\n"
                        + "dns: {enabled: false}\n"
                        + "networks:\n"
                        + "  - {name: lo, id: 7, cidr: 127.0.0.0/8, staticRange: 127.0.0.10-127.0.0.99,\n"
                        + "     dhcpPool: 127.1.0.0-127.1.255.255, domain: lo.test, serverAddress: 127.0.0.2}\n");
        Map<Integer, Ipv4Address> acked;
        try (DaemonProcess d = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString())) {
            acked = run(port);
            assertEquals(CLIENTS, acked.size(), "every client got an ACK");
            assertEquals(CLIENTS, new HashSet<>(acked.values()).size(), "no address was given twice");
            d.kill(); // kill -9: every ACKed lease must already be in the journal
        }
        try (DaemonProcess d = DaemonProcess.start(tmp.resolve("state"), "127.0.0.1:0", "--config", cfg.toString())) {
            Map<Integer, Ipv4Address> again = run(port);
            assertEquals(acked, again, "after a restart every client keeps its address");
        }
    }

    /** Drives every client through DORA, resending what got no answer; returns client index to ACKed address. */
    static Map<Integer, Ipv4Address> run(int port) throws Exception {
        Map<Integer, Ipv4Address> offered = new ConcurrentHashMap<>();
        Map<Integer, Ipv4Address> acked = new ConcurrentHashMap<>();
        InetSocketAddress server = new InetSocketAddress(SERVER.toInetAddress(), port);
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 8 << 20);
            ch.bind(new InetSocketAddress(RELAY.toInetAddress(), port));
            AtomicBoolean done = new AtomicBoolean();
            Thread receiver = new Thread(() -> receive(ch, offered, acked, done), "relay-rx");
            receiver.start();
            ExecutorService senders = Executors.newFixedThreadPool(8);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            try {
                while (acked.size() < CLIENTS && System.nanoTime() < deadline) {
                    for (int t = 0; t < 8; t++) {
                        int tt = t;
                        senders.submit(() -> {
                            for (int i = tt; i < CLIENTS; i += 8) {
                                if (acked.containsKey(i)) {
                                    continue;
                                }
                                Ipv4Address o = offered.get(i);
                                ch.send(
                                        ByteBuffer.wrap(
                                                packet(i, o == null ? MessageType.DISCOVER : MessageType.REQUEST, o)),
                                        server);
                                if (i % 256 == 0) {
                                    Thread.sleep(1); // pace a little so loopback buffers keep up
                                }
                            }
                            return null;
                        });
                    }
                    Thread.sleep(300);
                }
            } finally {
                senders.shutdownNow();
                done.set(true);
                receiver.join(5000);
            }
        }
        return acked;
    }

    /** Records OFFERs, ACKs and NAKs for the clients (by xid = client index) until {@code done}. */
    static void receive(
            DatagramChannel ch,
            Map<Integer, Ipv4Address> offered,
            Map<Integer, Ipv4Address> acked,
            AtomicBoolean done) {
        try {
            ch.socket().setSoTimeout(200);
            while (!done.get()) {
                try {
                    java.net.DatagramPacket dp = new java.net.DatagramPacket(new byte[2048], 2048);
                    ch.socket().receive(dp);
                    DhcpPacket p = DhcpCodec.decode(dp.getData(), 0, dp.getLength());
                    int i = p.xid();
                    MessageType t = p.options().messageType().orElseThrow();
                    assertTrue(p.mac().orElseThrow().equals(mac(i)), "reply for the right client");
                    if (t == MessageType.OFFER) {
                        offered.putIfAbsent(i, p.yiaddr());
                    } else if (t == MessageType.ACK) {
                        acked.put(i, p.yiaddr());
                    } else if (t == MessageType.NAK) {
                        offered.remove(i);
                    }
                } catch (SocketTimeoutException idle) {
                    // poll done
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
