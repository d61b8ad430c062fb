package dev.anvil.core.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.boot.ClientArch.Firmware;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The firmware matrix (doc/firmware-matrix.md) as a table: every client the lab has seen (and the ones the
 * DHCP code answers without a lab run yet), for a machine in every provisioning state, against what it is
 * told to load. The files are the defaults an operator gets ({@code dhcp.bootFiles}, {@code dhcp.ipxeScript}).
 */
class BootPlannerTest {
    static final Ipv4Address SERVER = Ipv4Address.parse("10.213.0.1");
    static final MacAddress MAC = MacAddress.parse("52:54:00:21:30:01");
    static final String SCRIPT = "http://10.213.0.1:8080/nodes/52-54-00-21-30-01/boot.ipxe";

    static final BootEnvironment DISCOVERY = new BootEnvironment(
            "sledgehammer",
            "discovery",
            Optional.empty(),
            Optional.empty(),
            Optional.of("sledgehammer/vmlinuz"),
            Optional.of("sledgehammer/initrd.img"),
            "console=ttyS0 anvil.api={{api}}",
            Optional.empty(),
            false);
    static final BootEnvironment LOCAL = new BootEnvironment(
            "local",
            "boot the disk",
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            "",
            Optional.empty(),
            true);
    static final BootEnvironment UBUNTU = new BootEnvironment(
            "ubuntu-22.04-install",
            "installer",
            Optional.of("ubuntu-22.04"),
            Optional.of("ubuntu"),
            Optional.of("casper/vmlinuz"),
            Optional.of("casper/initrd"),
            "autoinstall ds=nocloud-net;s={{nodeUrl}}/",
            Optional.of("autoinstall"),
            false);
    static final BootEnvironments ENVS = new BootEnvironments(List.of(DISCOVERY, LOCAL, UBUNTU));

    static Map<Firmware, String> defaultFiles() {
        Map<Firmware, String> m = new EnumMap<>(Firmware.class);
        m.put(Firmware.BIOS, "undionly.kpxe");
        m.put(Firmware.EFI_IA32, "ipxe-ia32.efi");
        m.put(Firmware.EFI_X64, "snponly.efi");
        m.put(Firmware.EFI_ARM32, "ipxe-arm32.efi");
        m.put(Firmware.EFI_ARM64, "ipxe-arm64.efi");
        m.put(Firmware.HTTP_IA32, "{http}/boot/ipxe-ia32.efi");
        m.put(Firmware.HTTP_X64, "{http}/boot/ipxe.efi");
        m.put(Firmware.HTTP_ARM32, "{http}/boot/ipxe-arm32.efi");
        m.put(Firmware.HTTP_ARM64, "{http}/boot/ipxe-arm64.efi");
        return m;
    }

    static BootPlanner planner(boolean localBootLoader) {
        return new BootPlanner(
                ENVS, new BootLoaders(defaultFiles(), "{http}/nodes/{mac}/boot.ipxe", localBootLoader), 8080);
    }

    /** {@code dhcp.secureBoot: true} with the default {@code dhcp.shimLoader}. */
    static BootPlanner secureBootPlanner(boolean localBootLoader) {
        return new BootPlanner(
                ENVS,
                new BootLoaders(
                        defaultFiles(), "{http}/nodes/{mac}/boot.ipxe", localBootLoader, Optional.of("shimx64.efi")),
                8080);
    }

    /**
     * With Secure Boot on, the x64 UEFI PXE clients (arch 7 and 9, not yet running iPXE) get shim; everyone else
     * gets what they get without it (iPXE already running was not started by a Secure Boot firmware that checks,
     * HTTP boot and the other architectures have no signed chain here).
     */
    static final Map<String, String> SECURE_BOOT_LOADER = Map.of(
            "OVMF native PXE x64", "shimx64.efi -",
            "EFI BC x64 (arch 9)", "shimx64.efi -");

    /** A client as the lab saw it: architecture (option 93), vendor class (60), user class iPXE (77). */
    record Client(String name, Optional<Integer> arch, String vendor, boolean ipxe) {
        ClientFacts facts() {
            return new ClientFacts(arch, vendor, ipxe);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Client> CLIENTS = List.of(
            new Client("SeaBIOS + iPXE ROM", Optional.of(0), "PXEClient:Arch:00000:UNDI:002001", true),
            new Client("BIOS PXE ROM (no iPXE)", Optional.of(0), "PXEClient:Arch:00000:UNDI:002001", false),
            new Client("OVMF native PXE x64", Optional.of(7), "PXEClient:Arch:00007:UNDI:003000", false),
            new Client("EFI BC x64 (arch 9)", Optional.of(9), "PXEClient:Arch:00009:UNDI:003000", false),
            new Client("EFI ia32", Optional.of(6), "PXEClient:Arch:00006:UNDI:003000", false),
            new Client("AAVMF arm64 PXE", Optional.of(11), "PXEClient:Arch:00011:UNDI:003000", false),
            new Client("snponly.efi (iPXE on OVMF)", Optional.of(7), "PXEClient:Arch:00007:UNDI:003010", true),
            new Client("OVMF UEFI HTTPv4", Optional.of(16), "HTTPClient:Arch:00016:UNDI:003000", false),
            new Client("HTTPClient naming arch 7", Optional.of(7), "HTTPClient:Arch:00007:UNDI:003000", false),
            new Client("AAVMF arm64 HTTP", Optional.of(19), "HTTPClient:Arch:00019:UNDI:003000", false),
            new Client("udhcpc -x 0x5d:0000", Optional.of(0), "", false),
            new Client("dhclient (no boot facts)", Optional.empty(), "", false),
            new Client("unknown arch 99", Optional.of(99), "PXEClient:Arch:00099:UNDI:003000", false),
            new Client("riscv64 UEFI PXE (arch 27)", Optional.of(27), "PXEClient:Arch:00027:UNDI:003000", false),
            new Client("riscv64 UEFI HTTP (arch 28)", Optional.of(28), "HTTPClient:Arch:00028:UNDI:003000", false),
            new Client(
                    "HTTPClient naming riscv32 (arch 25)", Optional.of(25), "HTTPClient:Arch:00025:UNDI:003000", false),
            new Client(
                    "HTTPClient naming BIOS HTTP (arch 20)",
                    Optional.of(20),
                    "HTTPClient:Arch:00020:UNDI:003000",
                    false));

    /** The loader each client gets when it is to boot something: file and vendor class (empty: none). */
    static final Map<String, String> LOADER = Map.ofEntries(
            Map.entry("SeaBIOS + iPXE ROM", SCRIPT + " -"),
            Map.entry("BIOS PXE ROM (no iPXE)", "undionly.kpxe -"),
            Map.entry("OVMF native PXE x64", "snponly.efi -"),
            Map.entry("EFI BC x64 (arch 9)", "snponly.efi -"),
            Map.entry("EFI ia32", "ipxe-ia32.efi -"),
            Map.entry("AAVMF arm64 PXE", "ipxe-arm64.efi -"),
            Map.entry("snponly.efi (iPXE on OVMF)", SCRIPT + " -"),
            Map.entry("OVMF UEFI HTTPv4", "http://10.213.0.1:8080/boot/ipxe.efi HTTPClient"),
            Map.entry("HTTPClient naming arch 7", "http://10.213.0.1:8080/boot/ipxe.efi HTTPClient"),
            Map.entry("AAVMF arm64 HTTP", "http://10.213.0.1:8080/boot/ipxe-arm64.efi HTTPClient"),
            Map.entry("udhcpc -x 0x5d:0000", "undionly.kpxe -"),
            Map.entry("dhclient (no boot facts)", "none"),
            Map.entry("unknown arch 99", "none"),
            Map.entry("riscv64 UEFI PXE (arch 27)", "none"),
            Map.entry("riscv64 UEFI HTTP (arch 28)", "none"),
            Map.entry("HTTPClient naming riscv32 (arch 25)", "none"),
            Map.entry("HTTPClient naming BIOS HTTP (arch 20)", "none"));

    /** A machine in a provisioning state, with the environment the lifecycle gives it there. */
    record Machine(String name, Optional<Node> node) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Node node(NodeState state, String env) {
        return new Node(
                1,
                "n1.cluster.test",
                List.of(MAC),
                List.of(new NodeAddress("admin", Ipv4Address.parse("10.213.0.42"))),
                env,
                Optional.empty(),
                false,
                true,
                state,
                Instant.EPOCH,
                Instant.EPOCH);
    }

    static final List<Machine> MACHINES = List.of(
            new Machine("unknown MAC", Optional.empty()),
            new Machine("discovering", Optional.of(node(NodeState.DISCOVERING, "sledgehammer"))),
            new Machine("discovered", Optional.of(node(NodeState.DISCOVERED, "sledgehammer"))),
            new Machine("install-pending", Optional.of(node(NodeState.INSTALL_PENDING, "ubuntu-22.04-install"))),
            new Machine("installing", Optional.of(node(NodeState.INSTALLING, "ubuntu-22.04-install"))),
            new Machine("failed mid-install", Optional.of(node(NodeState.FAILED, "ubuntu-22.04-install"))),
            new Machine("installed", Optional.of(node(NodeState.INSTALLED, "local"))),
            new Machine("ready", Optional.of(node(NodeState.READY, "local"))),
            new Machine("env removed from config", Optional.of(node(NodeState.DISCOVERED, "gone"))));

    static Stream<Arguments> matrix() {
        List<Arguments> rows = new ArrayList<>();
        for (Machine m : MACHINES) {
            for (Client c : CLIENTS) {
                for (boolean localBootLoader : new boolean[] {false, true}) {
                    rows.add(Arguments.of(m, c, localBootLoader));
                }
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} / {1} / localBootLoader={2}")
    @MethodSource("matrix")
    void everyStateTimesEveryFirmware(Machine m, Client c, boolean localBootLoader) {
        BootPlan plan = planner(localBootLoader).plan(m.node(), Optional.of(MAC), SERVER, c.facts());
        String env =
                m.node().map(Node::bootEnv).filter(e -> ENVS.get(e).isPresent()).orElse("sledgehammer");
        assertEquals(env, plan.env().name());
        boolean local = plan.env().localBoot();
        String expected = local && !localBootLoader ? "none" : LOADER.get(c.name());
        String got = plan.loader()
                .map(l -> l.file() + " " + l.vendorClass().orElse("-"))
                .orElse("none");
        assertEquals(expected, got);
        plan.loader().ifPresent(l -> {
            assertEquals(SERVER, l.nextServer());
            assertEquals(c.ipxe(), l.ipxeScript());
        });
        // DHCP's shortcut (the loader alone, no URLs) answers exactly what the whole plan does
        assertEquals(plan.loader(), planner(localBootLoader).loader(m.node(), Optional.of(MAC), SERVER, c.facts()));
        // a reason exactly when a network-boot client gets nothing it was meant to get (not a plain client, not a
        // local boot without a loader)
        boolean unintended =
                got.equals("none") && !(local && !localBootLoader) && c.facts().netBoot();
        assertEquals(
                unintended,
                plan.missingLoader().isPresent(),
                plan.missingLoader().toString());
    }

    @Test
    void aClientOfAnArchitectureWithoutALoaderGetsNoneAndAReasonNamingIt() {
        BootPlan rv = planner(false)
                .plan(
                        Optional.empty(),
                        Optional.of(MAC),
                        SERVER,
                        new ClientFacts(Optional.of(0x1c), "HTTPClient:Arch:00028:UNDI:003000", false));
        assertEquals(Optional.empty(), rv.loader());
        assertEquals(
                "client architecture 28 (0x1c, RISC-V 64-bit UEFI HTTP boot) (vendor class"
                        + " HTTPClient:Arch:00028:UNDI:003000): Anvil has no loader for it (no dhcp.bootFiles key;"
                        + " the keys are bios, efi-ia32, efi-x64, efi-arm32, efi-arm64, http-ia32, http-x64,"
                        + " http-arm32, http-arm64); no boot answer",
                rv.missingLoader().orElseThrow());
        String pxe = planner(false)
                .plan(Optional.empty(), Optional.of(MAC), SERVER, new ClientFacts(Optional.of(0x1b), "", false))
                .missingLoader()
                .orElseThrow();
        assertTrue(pxe.startsWith("client architecture 27 (0x1b, RISC-V 64-bit UEFI) (no vendor class)"), pxe);
        assertTrue(planner(false)
                .plan(Optional.empty(), Optional.of(MAC), SERVER, new ClientFacts(Optional.of(0x19), "", false))
                .missingLoader()
                .orElseThrow()
                .contains("25 (0x19, RISC-V 32-bit UEFI)"));
        assertTrue(planner(false)
                .plan(Optional.empty(), Optional.of(MAC), SERVER, new ClientFacts(Optional.of(4242), "", false))
                .missingLoader()
                .orElseThrow()
                .contains("4242 (0x1092, unassigned)"));
        // a key without a file (a hand-made BootLoaders; the configuration always fills every key)
        Map<Firmware, String> noArm = defaultFiles();
        noArm.remove(Firmware.HTTP_ARM64);
        BootPlan arm = new BootPlanner(ENVS, new BootLoaders(noArm, "{http}/nodes/{mac}/boot.ipxe", false), 8080)
                .plan(
                        Optional.empty(),
                        Optional.of(MAC),
                        SERVER,
                        new ClientFacts(Optional.of(19), "HTTPClient:Arch:00019:UNDI:003000", false));
        assertEquals(Optional.empty(), arm.loader());
        assertTrue(arm.missingLoader().orElseThrow().contains("no dhcp.bootFiles.http-arm64 configured"));
        // an HTTP-boot client naming no architecture still gets the x64 loader, as before
        assertEquals(
                "http://10.213.0.1:8080/boot/ipxe.efi",
                planner(false)
                        .plan(
                                Optional.empty(),
                                Optional.of(MAC),
                                SERVER,
                                new ClientFacts(Optional.empty(), "HTTPClient", false))
                        .loader()
                        .orElseThrow()
                        .file());
    }

    @ParameterizedTest(name = "Secure Boot: {0} / {1} / localBootLoader={2}")
    @MethodSource("matrix")
    void secureBootGivesShimToX64UefiPxeClientsOnly(Machine m, Client c, boolean localBootLoader) {
        BootPlan plan = secureBootPlanner(localBootLoader).plan(m.node(), Optional.of(MAC), SERVER, c.facts());
        boolean local = plan.env().localBoot();
        String expected =
                local && !localBootLoader ? "none" : SECURE_BOOT_LOADER.getOrDefault(c.name(), LOADER.get(c.name()));
        String got = plan.loader()
                .map(l -> l.file() + " " + l.vendorClass().orElse("-"))
                .orElse("none");
        assertEquals(expected, got);
        plan.loader().ifPresent(l -> assertEquals(SERVER, l.nextServer()));
        assertEquals(
                plan.loader(),
                secureBootPlanner(localBootLoader).loader(m.node(), Optional.of(MAC), SERVER, c.facts()));
    }

    @Test
    void secureBootLoadsInstallersOverTftpForSignedGrubAndEverythingElseAsBefore() {
        Optional<Node> installing = Optional.of(node(NodeState.INSTALLING, "ubuntu-22.04-install"));
        BootPlan i = secureBootPlanner(false).plan(installing, Optional.of(MAC), SERVER, ClientFacts.NONE);
        assertEquals("/install/ubuntu-22.04/casper/vmlinuz", i.grubKernel());
        assertEquals("/install/ubuntu-22.04/casper/initrd", i.grubInitrd());
        BootPlan plain = planner(false).plan(installing, Optional.of(MAC), SERVER, ClientFacts.NONE);
        assertEquals(plain.kernel(), i.kernel(), "pxelinux keeps HTTP: " + plain.kernel());
        assertEquals(plain.kernelUrl(), i.kernelUrl());
        BootPlan d = secureBootPlanner(false).plan(Optional.empty(), Optional.of(MAC), SERVER, ClientFacts.NONE);
        assertEquals("/sledgehammer/vmlinuz", d.grubKernel(), "discovery lies under the TFTP root either way");
        BootPlan shim = new BootPlanner(
                        ENVS, new BootLoaders(defaultFiles(), "x", false, Optional.of("debian/shimx64.efi")), 8080)
                .plan(Optional.empty(), Optional.of(MAC), SERVER, CLIENTS.get(2).facts());
        assertEquals("debian/shimx64.efi", shim.loader().orElseThrow().file(), "dhcp.shimLoader names the file");
    }

    @Test
    void theDiscoveryImageLoadsFromTheBootRootAndAnInstallerFromItsTree() {
        BootPlan d = planner(false).plan(Optional.empty(), Optional.of(MAC), SERVER, ClientFacts.NONE);
        assertEquals(Optional.empty(), d.loader(), "a config fetch gets no loader");
        assertEquals("sledgehammer/vmlinuz", d.kernel());
        assertEquals("http://10.213.0.1:8080/boot/sledgehammer/vmlinuz", d.kernelUrl());
        assertEquals("/sledgehammer/initrd.img", d.grubInitrd());
        assertEquals("http://10.213.0.1:8080/nodes/52-54-00-21-30-01", d.nodeUrl());
        assertEquals(Optional.empty(), d.nodeName());

        BootPlan i = planner(false)
                .plan(
                        Optional.of(node(NodeState.INSTALLING, "ubuntu-22.04-install")),
                        Optional.of(MAC),
                        SERVER,
                        ClientFacts.NONE);
        assertEquals("http://10.213.0.1:8080/install/ubuntu-22.04", i.tree());
        assertEquals("http://10.213.0.1:8080/install/ubuntu-22.04/casper/vmlinuz", i.kernel());
        assertEquals(i.kernel(), i.kernelUrl());
        assertEquals("(http,10.213.0.1:8080)/install/ubuntu-22.04/casper/initrd", i.grubInitrd());
        assertEquals("http://10.213.0.1:8080/nodes/n1.cluster.test/install.cfg", i.answerFileUrl());
        assertEquals(UBUNTU.kernelArgs(), i.kernelArgs());
        assertTrue(planner(false)
                .plan(Optional.of(node(NodeState.READY, "local")), Optional.of(MAC), SERVER, ClientFacts.NONE)
                .localBoot());
    }
}
