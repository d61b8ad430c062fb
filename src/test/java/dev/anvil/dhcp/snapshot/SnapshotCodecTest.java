package dev.anvil.dhcp.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {
    static final AnvilConfig CFG = new ConfigLoader().parse("""
      stateDir: /tmp/anvil-snapshot-test
      dhcp: {listen: "127.0.0.1:10067", authoritative: true, pingCheckMillis: 300}
      networks:
        - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99,
           dhcpPool: 10.10.0.100-10.10.0.199, router: 10.10.0.254, domain: cluster.test, v6prefix: auto,
           serverAddress: 10.10.0.1}
        - {name: bmc, id: 2, cidr: 10.20.0.0/24, staticRange: 10.20.0.10-10.20.0.99, domain: bmc.test,
           v6prefix: none}
      """, "test");

    static Node node(long id, String name, String env, List<Long> macs, List<NodeAddress> addrs) {
        return new Node(
                id,
                name,
                macs.stream().map(MacAddress::new).toList(),
                addrs,
                env,
                Optional.empty(),
                false,
                true,
                NodeState.READY,
                Instant.EPOCH,
                Instant.EPOCH);
    }

    static DhcpSnapshot sample() {
        List<Node> nodes = List.of(
                node(
                        7,
                        "n7.cluster.test",
                        "local",
                        List.of(0x525400000007L, 0x525400000107L),
                        List.of(
                                new NodeAddress("admin", Ipv4Address.parse("10.10.0.17")),
                                new NodeAddress("bmc", Ipv4Address.parse("10.20.0.17")))),
                node(3, "n3.cluster.test", "sledgehammer", List.of(0x525400000003L), List.of()));
        return new DhcpSnapshot(
                "fp".getBytes(StandardCharsets.UTF_8),
                Path.of("/tmp/anvil-snapshot-test"),
                CFG.dhcp(),
                8081,
                CFG.bootEnvironments().all().stream()
                        .map(b -> DhcpSnapshot.dhcpView(b.name(), b.localBoot()))
                        .toList(),
                CFG.networks(),
                nodes);
    }

    @Test
    void decodesWhatItEncodedAndEncodesItAgainByteForByte() throws Exception {
        byte[] bytes = SnapshotCodec.encode(sample());
        assertArrayEquals(bytes, SnapshotCodec.encode(sample()), "the same snapshot gives the same bytes");
        DhcpSnapshot back = SnapshotCodec.decode(bytes);
        assertArrayEquals(bytes, SnapshotCodec.encode(back), "decode then encode gives the file back");
        assertEquals(CFG.dhcp(), back.dhcp());
        assertEquals(CFG.networks(), back.networks());
        assertEquals(8081, back.httpPort());
        assertEquals(Path.of("/tmp/anvil-snapshot-test"), back.stateDir());
        assertArrayEquals("fp".getBytes(StandardCharsets.UTF_8), back.fingerprint());
        assertEquals(2, back.nodes().size());
        Node n7 = back.nodes().byMac(new MacAddress(0x525400000107L)).orElseThrow();
        assertEquals("n7.cluster.test", n7.name());
        assertEquals("local", n7.bootEnv());
        assertEquals(
                Ipv4Address.parse("10.10.0.17"),
                n7.addressOn("admin").orElseThrow().ipv4());
        assertEquals(n7, back.nodes().byMac(new MacAddress(0x525400000007L)).orElseThrow());
        assertEquals(
                "n3.cluster.test",
                back.nodes()
                        .byMac(new MacAddress(0x525400000003L))
                        .orElseThrow()
                        .name());
        assertTrue(back.nodes().byMac(new MacAddress(0x525400000004L)).isEmpty());
        assertEquals(
                List.of("n3.cluster.test", "n7.cluster.test"),
                back.nodes().all().stream().map(Node::name).toList());
    }

    @Test
    void theFrameIsMagicLengthBodyAndCrc32c() throws Exception {
        byte[] bytes = SnapshotCodec.encode(sample());
        assertArrayEquals("ANVDHCP1".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(bytes, 8));
        int len = ByteBuffer.wrap(bytes, 8, 4).getInt();
        assertEquals(bytes.length, len + 16);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 12, len);
        assertEquals((int) crc.getValue(), ByteBuffer.wrap(bytes, 12 + len, 4).getInt());
        // The body starts with the fingerprint: its length, then its bytes.
        assertEquals(2, ByteBuffer.wrap(bytes, 12, 4).getInt());
        assertEquals("fp", new String(bytes, 16, 2, StandardCharsets.UTF_8));
    }

    @Test
    void everyTornFileIsRefused() {
        byte[] bytes = SnapshotCodec.encode(sample());
        for (int n = 0; n < bytes.length; n++) {
            byte[] torn = Arrays.copyOf(bytes, n);
            assertThrows(SnapshotCodec.BadSnapshotException.class, () -> SnapshotCodec.decode(torn), "cut at " + n);
        }
    }

    @Test
    void anExtendedOrFlippedFileIsRefused() {
        byte[] bytes = SnapshotCodec.encode(sample());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(SnapshotCodec.BadSnapshotException.class, () -> SnapshotCodec.decode(longer));
        for (int i = 0; i < bytes.length; i++) {
            byte[] flipped = bytes.clone();
            flipped[i] ^= 0x10;
            assertThrows(SnapshotCodec.BadSnapshotException.class, () -> SnapshotCodec.decode(flipped), "byte " + i);
        }
    }

    @Test
    void tenThousandNodesRoundTrip() throws Exception {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            nodes.add(node(
                    i + 1,
                    "n" + i + ".cluster.test",
                    "local",
                    List.of(0x525403000000L + i),
                    List.of(new NodeAddress(
                            "admin", Ipv4Address.parse("10.10.0.10").plus(i % 80)))));
        }
        DhcpSnapshot s =
                new DhcpSnapshot(new byte[0], Path.of("/x"), CFG.dhcp(), 8081, List.of(), CFG.networks(), nodes);
        DhcpSnapshot back = SnapshotCodec.decode(SnapshotCodec.encode(s));
        assertEquals(10_000, back.nodes().size());
        for (int i = 0; i < 10_000; i += 997) {
            assertEquals(
                    "n" + i + ".cluster.test",
                    back.nodes()
                            .byMac(new MacAddress(0x525403000000L + i))
                            .orElseThrow()
                            .name());
        }
    }
}
