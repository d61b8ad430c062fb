package dev.anvil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.CommandLine;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import dev.anvil.dhcp.codec.DhcpCodec;
import dev.anvil.dhcp.codec.DhcpOption;
import dev.anvil.dhcp.codec.DhcpOptions;
import dev.anvil.dhcp.codec.DhcpPacket;
import dev.anvil.dhcp.codec.MessageType;
import dev.anvil.dhcp.snapshot.DhcpSnapshot;
import dev.anvil.dhcp.snapshot.SnapshotCodec;
import dev.anvil.dhcp.snapshot.SnapshotKeeper;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DHCP answered from the start-up snapshot, before any configuration parsing or store. */
class EarlyDhcpTest {
    @TempDir
    Path tmp;

    static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** A config on loopback (network 127.0.0.0/24), its file, and a snapshot for it with one reserved node. */
    String[] setUp(int port, Node... nodes) throws Exception {
        Path state = tmp.resolve("state");
        Files.createDirectories(state);
        Path cfgFile = tmp.resolve("anvil.yaml");
        Files.writeString(cfgFile, """
        stateDir: %s
        dhcp: {listen: "127.0.0.1:%d"}
        networks:
          - {name: lo, id: 1, cidr: 127.0.0.0/24, staticRange: 127.0.0.10-127.0.0.99,
             dhcpPool: 127.0.0.100-127.0.0.199, domain: lo.test, v6prefix: none, serverAddress: 127.0.0.1}
        """.formatted(state, port));
        String[] args = {"--config", cfgFile.toString()};
        AnvilConfig cfg = new ConfigLoader().load(cfgFile);
        DhcpSnapshot s = new DhcpSnapshot(
                EarlyDhcp.fingerprint(args, Optional.of(cfgFile)),
                state.toAbsolutePath().normalize(),
                cfg.dhcp(),
                cfg.http().listen().port(),
                cfg.bootEnvironments().all().stream()
                        .map(b -> DhcpSnapshot.dhcpView(b.name(), b.localBoot()))
                        .toList(),
                cfg.networks(),
                List.of(nodes));
        Files.write(state.resolve(SnapshotKeeper.FILE), SnapshotCodec.encode(s));
        return args;
    }

    static Node reserved(long mac, String ip) {
        return new Node(
                1,
                "r1.lo.test",
                List.of(new MacAddress(mac)),
                List.of(new NodeAddress("lo", Ipv4Address.parse(ip))),
                "local",
                Optional.empty(),
                false,
                true,
                NodeState.READY,
                Instant.EPOCH,
                Instant.EPOCH);
    }

    /**
     * A DISCOVER with ciaddr 127.0.0.5, so the answer comes back to 127.0.0.5:clientPort (the server's port + 1)
     * over loopback; returns the OFFER, or empty if none came within a second.
     */
    static Optional<DhcpPacket> discover(int port, long mac) throws Exception {
        DhcpPacket d = new DhcpPacket(
                DhcpPacket.BOOTREQUEST,
                1,
                6,
                0,
                42,
                0,
                0,
                Ipv4Address.parse("127.0.0.5"),
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                DhcpPacket.ZERO_ADDRESS,
                Arrays.copyOf(new MacAddress(mac).toBytes(), 16),
                new byte[64],
                new byte[128],
                DhcpOptions.builder()
                        .putByte(DhcpOption.MESSAGE_TYPE, MessageType.DISCOVER.code())
                        .build());
        byte[] wire = DhcpCodec.encode(d, DhcpCodec.DEFAULT_MAX_SIZE, DhcpCodec.MIN_BOOTP_SIZE);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.5", port + 1))) {
            s.setSoTimeout(1000);
            s.send(new DatagramPacket(wire, wire.length, new InetSocketAddress("127.0.0.1", port)));
            byte[] buf = new byte[1500];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (java.net.SocketTimeoutException e) {
                return Optional.empty();
            }
            return Optional.of(DhcpCodec.decode(Arrays.copyOf(buf, p.getLength())));
        }
    }

    @Test
    void aReservedNodeGetsItsReservationAndAStrangerAPoolAddressBeforeAnyStore() throws Exception {
        int port = freePort();
        String[] args = setUp(port, reserved(0x525400000001L, "127.0.0.20"));
        try (EarlyDhcp early = EarlyDhcp.tryStart(args, CommandLine.parse(args), Clock.systemUTC())) {
            assertTrue(early.running(), early.outcome());
            DhcpPacket offer = discover(port, 0x525400000001L).orElseThrow();
            assertEquals(Optional.of(MessageType.OFFER), offer.options().messageType());
            assertEquals(Ipv4Address.parse("127.0.0.20"), offer.yiaddr());
            assertEquals(
                    Optional.of("r1"),
                    offer.options()
                            .get(DhcpOption.HOST_NAME)
                            .map(b -> new String(b, java.nio.charset.StandardCharsets.US_ASCII)));
            DhcpPacket pool = discover(port, 0x525400000002L).orElseThrow();
            assertEquals(Ipv4Address.parse("127.0.0.100"), pool.yiaddr());
            early.discard();
        }
    }

    @Test
    void anotherConfigurationStartsNothing() throws Exception {
        int port = freePort();
        String[] args = setUp(port, reserved(0x525400000001L, "127.0.0.20"));
        Files.writeString(Path.of(args[1]), "# edited\n", java.nio.file.StandardOpenOption.APPEND);
        try (EarlyDhcp early = EarlyDhcp.tryStart(args, CommandLine.parse(args), Clock.systemUTC())) {
            assertFalse(early.running());
            assertTrue(early.outcome().contains("other flags, configuration or code"), early.outcome());
            assertTrue(discover(port, 0x525400000001L).isEmpty(), "nothing answers");
        }
    }

    @Test
    void aTornSnapshotStartsNothing() throws Exception {
        int port = freePort();
        String[] args = setUp(port, reserved(0x525400000001L, "127.0.0.20"));
        Path file = tmp.resolve("state").resolve(SnapshotKeeper.FILE);
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, b.length - 3));
        try (EarlyDhcp early = EarlyDhcp.tryStart(args, CommandLine.parse(args), Clock.systemUTC())) {
            assertFalse(early.running());
            assertTrue(early.outcome().contains("torn"), early.outcome());
        }
    }

    @Test
    void aSecondDaemonOnTheSameStateDirectoryDoesNotAnswer() throws Exception {
        int port = freePort();
        String[] args = setUp(port, reserved(0x525400000001L, "127.0.0.20"));
        Path state = tmp.resolve("state");
        // Another process holding the lock as a JVM does (a POSIX record lock, fcntl).
        ProcessBuilder pb = new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl, sys, time; f = open(sys.argv[1], 'w'); "
                        + "fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(10)",
                state.resolve(EarlyDhcp.LOCK_FILE).toString());
        Process holder = pb.start();
        try {
            assertEquals(
                    "locked",
                    new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine());
            try (EarlyDhcp early = EarlyDhcp.tryStart(args, CommandLine.parse(args), Clock.systemUTC())) {
                assertFalse(early.running());
                assertTrue(early.outcome().contains("holds"), early.outcome());
            }
        } finally {
            holder.destroy();
            holder.waitFor();
        }
    }

    @Test
    void theStateDirectoryIsGuessedFromTheFlagOrTheConfigurationText() throws Exception {
        Path cfg = tmp.resolve("c.yaml");
        Files.writeString(cfg, "api: {listen: \"127.0.0.1:0\"}\nstateDir: \"/srv/anvil\"  # here\n");
        assertEquals(Path.of("/srv/anvil"), EarlyDhcp.guessStateDir(CommandLine.parse("--config", cfg.toString())));
        assertEquals(
                Path.of("/x"),
                EarlyDhcp.guessStateDir(CommandLine.parse("--config", cfg.toString(), "--state-dir", "/x")));
        assertEquals(Path.of("./var"), EarlyDhcp.guessStateDir(CommandLine.parse()));
    }
}
