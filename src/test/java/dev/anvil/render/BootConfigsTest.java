package dev.anvil.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.node.NodeState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BootConfigsTest {
    static final AnvilConfig CFG = new ConfigLoader().embeddedDefault();
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.10.0.150");
    /** ULA global ID 0: the admin network (id 1, {@code v6prefix: auto}) is fd00:0:0:1::/64. */
    static final dev.anvil.core.net.Addressing ADDRESSING = new dev.anvil.core.net.Addressing(0);

    final NodeDirectory nodes = new NodeDirectory(List.of());
    final BootConfigs configs = new BootConfigs(
            new Templates(Optional.empty()),
            nodes,
            new NetworkCatalog(CFG.networks()),
            new dev.anvil.core.boot.BootPlanner(
                    CFG.bootEnvironments(), CFG.dhcp().loaders(), 8080),
            ADDRESSING);

    static Node node(String env) {
        return new Node(
                1,
                "n1.cluster.test",
                List.of(MacAddress.parse("52:54:00:12:34:56")),
                List.of(new NodeAddress("admin", Ipv4Address.parse("10.10.0.42"))),
                env,
                Optional.empty(),
                false,
                true,
                NodeState.DISCOVERING,
                Instant.EPOCH,
                Instant.EPOCH);
    }

    String get(String path) {
        return new String(configs.render(path, CLIENT).orElseThrow(), StandardCharsets.UTF_8);
    }

    @Test
    void unknownMacGetsTheDiscoveryImage() {
        String cfg = get("pxelinux.cfg/01-52-54-00-aa-bb-cc");
        assertTrue(cfg.contains("KERNEL sledgehammer/vmlinuz"), cfg);
        assertTrue(cfg.contains("anvil.api=http://10.10.0.1:8080/api/v1"), cfg);
        assertTrue(cfg.contains("IPAPPEND 2"), cfg);
        assertEquals(
                cfg.replace("an unknown machine", "x"),
                get("pxelinux.cfg/default").replace("an unknown machine", "x"));
    }

    @Test
    void knownNodeFollowsItsBootEnvironmentAtOnce() {
        nodes.accept(new NodeEvent(1, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(node("local"))));
        String local = get("pxelinux.cfg/01-52-54-00-12-34-56");
        assertTrue(local.contains("LOCALBOOT 0"), local);
        assertEquals(local, get("pxelinux.cfg/0A0A002A"), "by hex IP too");
        assertTrue(get("nodes/52-54-00-12-34-56/boot.ipxe").contains("sanboot"));
        assertTrue(get("grub/grub.cfg-01-52-54-00-12-34-56").contains("exit"));
        nodes.accept(new NodeEvent(
                2,
                NodeEvent.Kind.BOOT_ENV_CHANGED,
                Optional.of(node("local")),
                Optional.of(node("ubuntu-22.04-install"))));
        String inst = get("pxelinux.cfg/01-52-54-00-12-34-56");
        assertTrue(inst.contains("KERNEL http://10.10.0.1:8080/install/ubuntu-22.04/casper/vmlinuz"), inst);
        assertTrue(inst.contains("ds=nocloud-net;s=http://10.10.0.1:8080/nodes/n1.cluster.test/"), inst);
        String ipxe = get("nodes/52-54-00-12-34-56/boot.ipxe");
        assertTrue(ipxe.startsWith("#!ipxe"), ipxe);
        assertTrue(
                ipxe.contains("initrd --name initrd http://10.10.0.1:8080/install/ubuntu-22.04/casper/initrd"), ipxe);
        String grub = get("grub.cfg-01-52-54-00-12-34-56");
        assertTrue(grub.contains("linux (http,10.10.0.1:8080)/install/ubuntu-22.04/casper/vmlinuz"), grub);
    }

    @Test
    void unknownHexIpFallsThroughAndOtherPathsAreNotGenerated() {
        assertFalse(configs.render("pxelinux.cfg/0A0A0063", CLIENT).isPresent());
        assertFalse(configs.render("pxelinux.0", CLIENT).isPresent());
        assertTrue(get("boot.ipxe").contains("chain tftp://${next-server}/nodes/${mac:hexhyp}/boot.ipxe"));
    }

    @Test
    void theFixedGrubNameChainsToTheMachinesOwnConfigByGrubsMacElseDiscovery() {
        String cfg = get("grub/grub.cfg");
        assertTrue(cfg.contains("\"$net_default_mac\"; then"), cfg);
        assertTrue(cfg.contains("configfile \"$prefix/grub.cfg-01-$m1-$m2-$m3-$m4-$m5-$m6\""), cfg);
        // no MAC from GRUB: the discovery image, without BOOTIF
        assertTrue(cfg.contains("linux /sledgehammer/vmlinuz"), cfg);
        assertFalse(cfg.contains("BOOTIF"), cfg);
        assertEquals(cfg, get("grub.cfg"));
        // what the chain reaches: a per-MAC config, with no chain of its own
        String own = get("grub/grub.cfg-01-52-54-00-aa-bb-cc");
        assertFalse(own.contains("configfile"), own);
        assertTrue(own.contains("BOOTIF=01-52-54-00-aa-bb-cc"), own);
    }

    String grubFor(BootConfigs c, String ip) {
        return new String(c.render("grub/grub.cfg", Ipv4Address.parse(ip)).orElseThrow(), StandardCharsets.UTF_8);
    }

    @Test
    void theFixedGrubNameIsRenderedForTheClientItsAddressNames() {
        // a node by its reservation: installing gets its installer entry, local boot its local boot, no chain
        Node n = node("ubuntu-22.04-install");
        nodes.accept(new NodeEvent(1, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(n)));
        String inst = grubFor(configs, "10.10.0.42");
        assertFalse(inst.contains("configfile"), inst);
        assertTrue(inst.contains("echo \"Anvil: GRUB config for 52-54-00-12-34-56 by its address 10.10.0.42\""), inst);
        assertTrue(inst.contains("linux (http,10.10.0.1:8080)/install/ubuntu-22.04/casper/vmlinuz"), inst);
        assertTrue(inst.contains("BOOTIF=01-52-54-00-12-34-56"), inst);
        assertEquals(
                inst,
                new String(
                        configs.render("grub.cfg", Ipv4Address.parse("10.10.0.42"))
                                .orElseThrow(),
                        StandardCharsets.UTF_8),
                "grub.cfg alike");
        nodes.accept(new NodeEvent(2, NodeEvent.Kind.BOOT_ENV_CHANGED, Optional.of(n), Optional.of(node("local"))));
        String local = grubFor(configs, "10.10.0.42");
        assertTrue(local.contains("menuentry \"Local disk\""), local);
        assertTrue(local.contains("  exit\n"), local);
        assertFalse(local.contains("linux "), local);

        // by the lease on the address: a node without a reservation (discovered from a pool address), and a pool
        // client no node has yet (discovery, with its BOOTIF)
        MacAddress pooled = MacAddress.parse("52:54:00:aa:bb:01");
        MacAddress stranger = MacAddress.parse("52:54:00:aa:bb:02");
        java.util.Map<Ipv4Address, MacAddress> leases =
                java.util.Map.of(Ipv4Address.parse("10.10.0.101"), pooled, Ipv4Address.parse("10.10.0.102"), stranger);
        BootConfigs withLeases = new BootConfigs(
                new Templates(Optional.empty()),
                nodes,
                new NetworkCatalog(CFG.networks()),
                new dev.anvil.core.boot.BootPlanner(
                        CFG.bootEnvironments(), CFG.dhcp().loaders(), 8080),
                ADDRESSING,
                ip -> Optional.ofNullable(leases.get(ip)));
        Node p = new Node(
                3,
                "p1.cluster.test",
                List.of(pooled),
                List.of(),
                "local",
                Optional.empty(),
                false,
                true,
                NodeState.INSTALLED,
                Instant.EPOCH,
                Instant.EPOCH);
        nodes.accept(new NodeEvent(3, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(p)));
        String byLease = grubFor(withLeases, "10.10.0.101");
        assertTrue(byLease.contains("for p1.cluster.test"), byLease);
        assertTrue(byLease.contains("exit"), byLease);
        assertFalse(byLease.contains("configfile"), byLease);
        String disc = grubFor(withLeases, "10.10.0.102");
        assertTrue(disc.contains("linux /sledgehammer/vmlinuz"), disc);
        assertTrue(disc.contains("BOOTIF=01-52-54-00-aa-bb-02"), disc);
        assertFalse(disc.contains("configfile"), disc);
        // an address nothing names: the chain by GRUB's MAC, as before
        assertTrue(grubFor(withLeases, "10.10.0.150").contains("configfile"));
    }

    @Test
    void grubOnArm64BootsTheArm64DiscoveryImageAndInstallersHaveNoArm64Branch() {
        String own = get("grub/grub.cfg-01-52-54-00-aa-bb-cc");
        String arm = own.substring(own.indexOf("if [ \"$grub_cpu\" = arm64 ]; then"), own.indexOf("  else"));
        assertTrue(
                arm.contains("linux $anvil_files/sledgehammer/arm64/vmlinuz console=tty0 console=ttyAMA0,115200 "
                        + "anvil.api=http://10.10.0.1:8080/api/v1 BOOTIF=01-52-54-00-aa-bb-cc"),
                own);
        assertTrue(arm.contains("initrd $anvil_files/sledgehammer/arm64/initrd.img"), own);
        // GRUB over HTTP (grubhttpaa64.efi, prefix (http,server:port)/boot/grub) finds the files under /boot/ there;
        // over TFTP ($prefix (tftp,server)/grub) the regexp fails and $anvil_files stays empty
        assertTrue(
                arm.contains("set anvil_files=\"\"\n    if regexp --set=1:anvil_files '^(\\(http,[^)]*\\).*)/grub$' "
                        + "\"$prefix\"; then true; fi"),
                own);
        String other = own.substring(own.indexOf("  else"));
        assertTrue(other.contains("linux /sledgehammer/vmlinuz console=tty0 console=ttyS0,115200 "), own);
        assertTrue(other.contains("initrd /sledgehammer/initrd.img"), own);
        // the arm64 branch belongs to discovery only: an installer's config has none
        nodes.accept(
                new NodeEvent(1, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(node("ubuntu-22.04-install"))));
        assertFalse(get("grub/grub.cfg-01-52-54-00-12-34-56").contains("grub_cpu"));
    }

    @Test
    void withSecureBootGrubLoadsAnInstallerOverTftpFromTheSameTree() {
        BootConfigs sb = new BootConfigs(
                new Templates(Optional.empty()),
                nodes,
                new NetworkCatalog(CFG.networks()),
                new dev.anvil.core.boot.BootPlanner(
                        CFG.bootEnvironments(),
                        new dev.anvil.core.boot.BootLoaders(
                                CFG.dhcp().bootFiles(), CFG.dhcp().ipxeScript(), false, Optional.of("shimx64.efi")),
                        8080),
                ADDRESSING);
        nodes.accept(
                new NodeEvent(1, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(node("ubuntu-22.04-install"))));
        String grub = new String(
                sb.render("grub/grub.cfg-01-52-54-00-12-34-56", CLIENT).orElseThrow(), StandardCharsets.UTF_8);
        assertTrue(grub.contains("linux /install/ubuntu-22.04/casper/vmlinuz "), grub);
        assertTrue(grub.contains("initrd /install/ubuntu-22.04/casper/initrd"), grub);
        // iPXE and pxelinux keep HTTP
        String pxe = new String(
                sb.render("pxelinux.cfg/01-52-54-00-12-34-56", CLIENT).orElseThrow(), StandardCharsets.UTF_8);
        assertTrue(pxe.contains("KERNEL http://10.10.0.1:8080/install/ubuntu-22.04/casper/vmlinuz"), pxe);
    }

    static final java.net.InetAddress V6_CLIENT = v6("fd00:0:0:1::99");
    static final java.net.InetAddress V6_SERVER = v6("fd00:0:0:1::1");

    static java.net.InetAddress v6(String literal) {
        try {
            return java.net.InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    String getV6(String path, java.net.InetAddress server) {
        return new String(
                configs.render(path, new dev.anvil.core.boot.BootClient(V6_CLIENT, Optional.of(server)))
                        .orElseThrow(),
                StandardCharsets.UTF_8);
    }

    @Test
    void aClientThatCameOverIpv6GetsUrlsOnTheIpv6AddressItReachedInBrackets() {
        nodes.accept(
                new NodeEvent(1, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(node("ubuntu-22.04-install"))));
        String ipxe = getV6("nodes/52-54-00-12-34-56/boot.ipxe", V6_SERVER);
        assertTrue(ipxe.contains("kernel http://[fd00:0:0:1::1]:8080/install/ubuntu-22.04/casper/vmlinuz"), ipxe);
        assertTrue(ipxe.contains("ds=nocloud-net;s=http://[fd00:0:0:1::1]:8080/nodes/n1.cluster.test/"), ipxe);
        assertFalse(ipxe.contains("10.10.0.1"), ipxe);
        String grub = getV6("grub.cfg-01-52-54-00-12-34-56", V6_SERVER);
        assertTrue(grub.contains("linux (http,[fd00:0:0:1::1]:8080)/install/ubuntu-22.04/casper/vmlinuz"), grub);
        String pxe = getV6("pxelinux.cfg/01-52-54-00-12-34-56", V6_SERVER);
        assertTrue(pxe.contains("KERNEL http://[fd00:0:0:1::1]:8080/install/ubuntu-22.04/casper/vmlinuz"), pxe);
        assertTrue(getV6("pxelinux.cfg/default", V6_SERVER).contains("anvil.api=http://[fd00:0:0:1::1]:8080/api/v1"));
        assertTrue(
                getV6("boot.ipxe", V6_SERVER).contains("chain tftp://[fd00:0:0:1::1]/nodes/${mac:hexhyp}/boot.ipxe"));
        // The same files over IPv4 still name the network's serverAddress.
        assertTrue(get("nodes/52-54-00-12-34-56/boot.ipxe")
                .contains("kernel http://10.10.0.1:8080/install/ubuntu-22.04/casper/vmlinuz"));
    }

    @Test
    void anUnknownOrLinkLocalServerAddressAndAMappedClientFallBackToTheIpv4Server() {
        // A wildcard socket that cannot say which address was reached, and a link-local one (no zone in a URL).
        for (String server : List.of("::", "fe80::1")) {
            String cfg = getV6("pxelinux.cfg/default", v6(server));
            assertTrue(cfg.contains("anvil.api=http://10.10.0.1:8080/api/v1"), server + ": " + cfg);
        }
        // An IPv4 client on a dual-stack socket (IPv4-mapped) is an IPv4 client.
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 10, 0, (byte) 150};
        java.net.InetAddress m;
        try {
            m = java.net.Inet6Address.getByAddress(null, mapped, -1);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
        String cfg = new String(
                configs.render("pxelinux.cfg/default", new dev.anvil.core.boot.BootClient(m, Optional.of(V6_SERVER)))
                        .orElseThrow(),
                StandardCharsets.UTF_8);
        assertTrue(cfg.contains("anvil.api=http://10.10.0.1:8080/api/v1"), cfg);
    }

    @Test
    void theDiscoveryBootOfAnIpv6ClientCarriesItsAddressAndABracketedApiUrl() {
        // an unknown MAC over IPv6 from an address of the served /64 (its DHCPv6 pool address): anvil.ip6=<addr>/64
        String ipxe = getV6("nodes/52-54-00-aa-bb-cc/boot.ipxe", V6_SERVER);
        assertTrue(ipxe.contains("kernel http://[fd00:0:0:1::1]:8080/boot/sledgehammer/vmlinuz "), ipxe);
        assertTrue(
                ipxe.contains("anvil.api=http://[fd00:0:0:1::1]:8080/api/v1 anvil.ip6=fd00:0:0:1::99/64 BOOTIF="),
                ipxe);
        // the boot listener's /nodes/<mac>/boot.ipxe route renders through forMac with both ends of the request
        String byRoute = configs.forMac(
                MacAddress.parse("52:54:00:aa:bb:cc"),
                "pxe/boot.ipxe.mustache",
                Optional.of(new dev.anvil.core.boot.BootClient(V6_CLIENT, Optional.of(V6_SERVER))));
        assertEquals(ipxe, byRoute);
        assertTrue(getV6("pxelinux.cfg/default", V6_SERVER).contains(" anvil.ip6=fd00:0:0:1::99/64"));
        assertTrue(getV6("grub.cfg-01-52-54-00-aa-bb-cc", V6_SERVER).contains(" anvil.ip6=fd00:0:0:1::99/64"));
        // IPv4: no anvil.ip6, the API on the network's serverAddress
        String v4 = get("nodes/52-54-00-aa-bb-cc/boot.ipxe");
        assertTrue(v4.contains("anvil.api=http://10.10.0.1:8080/api/v1 BOOTIF="), v4);
        assertFalse(v4.contains("anvil.ip6"), v4);
        assertFalse(configs.forMac(MacAddress.parse("52:54:00:aa:bb:cc"), "pxe/boot.ipxe.mustache")
                .contains("anvil.ip6"));
        // a link-local client, or one outside every served /64, gets none: the image would not know its prefix
        for (String client : List.of("fe80::5054:ff:feaa:bbcc", "2001:db8::99", "fd00:0:0:2::99")) {
            String cfg = new String(
                    configs.render(
                                    "nodes/52-54-00-aa-bb-cc/boot.ipxe",
                                    new dev.anvil.core.boot.BootClient(v6(client), Optional.of(V6_SERVER)))
                            .orElseThrow(),
                    StandardCharsets.UTF_8);
            assertTrue(cfg.contains("anvil.api=http://[fd00:0:0:1::1]:8080/api/v1 BOOTIF="), client + ": " + cfg);
            assertFalse(cfg.contains("anvil.ip6"), client + ": " + cfg);
        }
    }

    @Test
    void anInstallerBootOverIpv6GetsNoDiscoveryArguments() {
        nodes.accept(
                new NodeEvent(1, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(node("ubuntu-22.04-install"))));
        String ipxe = getV6("nodes/52-54-00-12-34-56/boot.ipxe", V6_SERVER);
        assertFalse(ipxe.contains("anvil.ip6"), ipxe);
    }
}
