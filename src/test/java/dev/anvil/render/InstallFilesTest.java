package dev.anvil.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.app.InstallTokens;
import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.InstallTokenStore;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A node's answer files as rendered for a request over IPv4 and over IPv6: the URLs name the address the request
 * reached, and every installer's network section carries the node's derived IPv6 address.
 */
class InstallFilesTest {
    static final AnvilConfig CFG = new ConfigLoader().embeddedDefault();
    static final Addressing ADDRESSING = new Addressing(0x12_3456_789aL);
    static final NetworkCatalog CATALOG = new NetworkCatalog(CFG.networks());

    /** The token store contract in memory. */
    static final class Tokens implements InstallTokenStore {
        final Map<Long, Armed> armed = new HashMap<>();

        @Override
        public synchronized Optional<Armed> get(long nodeId) {
            return Optional.ofNullable(armed.get(nodeId));
        }

        @Override
        public synchronized void put(long nodeId, Armed a) {
            armed.put(nodeId, a);
        }

        @Override
        public synchronized boolean consume(long nodeId, String nonce) {
            Armed a = armed.get(nodeId);
            return a != null && a.nonce().equals(nonce) && armed.remove(nodeId) != null;
        }
    }

    final InstallFiles files = new InstallFiles(
            new Templates(Optional.empty()),
            CATALOG,
            CFG.bootEnvironments(),
            ADDRESSING,
            CFG.install(),
            new InstallTokens(
                    new Tokens(),
                    new byte[32],
                    Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC),
                    Duration.ofHours(1),
                    new Random(3)),
            Path.of("/nonexistent/admin.pub"),
            8081,
            "debian-12"::equals);

    static Node node(String env) {
        return new Node(
                7,
                "n1.cluster.test",
                List.of(MacAddress.parse("52:54:00:12:34:56")),
                List.of(new NodeAddress("admin", Ipv4Address.parse("10.10.0.21"))),
                env,
                Optional.empty(),
                false,
                true,
                NodeState.INSTALLING,
                Instant.EPOCH,
                Instant.EPOCH);
    }

    static final Optional<Inet6Address> V6_SERVER = Optional.of(v6("fd00:0:0:1::1"));

    static Inet6Address v6(String literal) {
        try {
            return (Inet6Address) InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    String derived() {
        return Ipv6Prefix64.format(ADDRESSING
                .ipv6(CATALOG.get("admin").orElseThrow(), "n1.cluster.test")
                .orElseThrow());
    }

    @Test
    void overIpv4TheUrlsNameTheNetworksServerAddress() {
        String ks = files.installConfig(node("centos-stream-9-install"));
        assertTrue(ks.contains("http://10.10.0.1:8081/"), ks);
        assertFalse(ks.contains("[fd00"), ks);
        assertEquals(ks, files.installConfig(node("centos-stream-9-install"), Optional.empty()));
    }

    @Test
    void overIpv6TheUrlsNameTheAddressTheRequestReachedInBrackets() {
        String ks = files.installConfig(node("centos-stream-9-install"), V6_SERVER);
        assertTrue(ks.contains("inst.repo") || ks.contains("url --url=http://[fd00:0:0:1::1]:8081/install/"), ks);
        assertTrue(ks.contains("http://[fd00:0:0:1::1]:8081/api/v1/nodes/n1.cluster.test/"), ks);
        assertFalse(ks.contains("http://10.10.0.1"), ks);
        assertTrue(ks.contains("--nameserver=fd00:0:0:1::1,10.10.0.1"), ks);
        String post = files.postInstall(node("debian-12-install"), V6_SERVER);
        assertTrue(post.contains("'http://[fd00:0:0:1::1]:8081/api/v1/nodes/n1.cluster.test/install-complete'"), post);
        Map<String, Object> s = files.scope(node("debian-12-install"), Optional.empty(), V6_SERVER);
        assertEquals("fd00:0:0:1::1", s.get("server"));
        assertEquals(List.of("fd00:0:0:1::1", "10.10.0.1"), s.get("dns"));
    }

    @Test
    void everyInstallersNetworkSectionCarriesTheDerivedIpv6Address() {
        String v6 = derived();
        // The scope gives the address in the JDK's long form; compare on the parsed value.
        String ipv6 = (String) ((Map<?, ?>)
                        files.scope(node("debian-12-install"), Optional.empty()).get("node"))
                .get("ipv6");
        assertEquals(v6, Ipv6Prefix64.format(v6(ipv6)));
        String ks = files.installConfig(node("centos-stream-9-install"));
        assertTrue(ks.contains("--ipv6=" + ipv6 + "/64"), ks);
        String ai = files.installConfig(node("ubuntu-22.04-install"));
        assertTrue(ai.contains("- \"" + ipv6 + "/64\""), ai);
        String ay = files.installConfig(node("opensuse-leap-15.6-install"));
        assertTrue(ay.contains("<IPADDR>" + ipv6 + "</IPADDR>"), ay);
        // Preseed: debian-installer configures IPv4 only; the post-install script adds the inet6 stanza.
        String post = files.postInstall(node("debian-12-install"));
        assertTrue(post.contains("'" + ipv6 + "' '64' >> /etc/network/interfaces"), post);
        assertTrue(post.contains("= '52:54:00:12:34:56' ]"), post);
    }

    @Test
    void aPreseedAcceptsAnUnsignedTreeOnlyWhenTheTreeSaysItIsUnsigned() {
        String allow = "d-i debian-installer/allow_unauthenticated boolean true";
        String preseed = files.installConfig(node("debian-12-install"));
        assertTrue(preseed.lines().anyMatch(allow::equals), preseed);
        assertEquals(
                Boolean.TRUE,
                files.scope(node("debian-12-install"), files.installEnv(node("debian-12-install")))
                        .get("treeUnsigned"));
        // another OS's tree has no marker: nothing in the scope, nothing in its answer file
        assertFalse(files.scope(node("centos-stream-9-install"), files.installEnv(node("centos-stream-9-install")))
                .containsKey("treeUnsigned"));
        assertFalse(files.installConfig(node("centos-stream-9-install")).contains("allow_unauthenticated"));
    }

    @Test
    void theUnsignedMarkerIsARegularFileInTheOsTree(@org.junit.jupiter.api.io.TempDir Path root) throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("debian-12"));
        assertFalse(dev.anvil.os.OsTrees.unsigned(root, "debian-12"));
        java.nio.file.Files.writeString(root.resolve("debian-12").resolve(".anvil-unsigned"), "unsigned\n");
        assertTrue(dev.anvil.os.OsTrees.unsigned(root, "debian-12"));
        assertFalse(dev.anvil.os.OsTrees.unsigned(root, "centos-stream-9"));
        // names that would leave the install root are never looked up
        assertFalse(dev.anvil.os.OsTrees.unsigned(root.resolve("debian-12"), ".."));
        assertFalse(dev.anvil.os.OsTrees.unsigned(root, ""));
    }
}
