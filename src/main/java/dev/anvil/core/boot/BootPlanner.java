package dev.anvil.core.boot;

import dev.anvil.core.boot.ClientArch.Firmware;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import java.util.Optional;

/**
 * The one place that decides what a client boots: from its node (whose boot environment the lifecycle sets
 * as the node moves through its states), the server address it reaches, and what the client said about
 * itself. Pure: no I/O, no clock; DHCP, TFTP, HTTP and the renderer ask it and translate its {@link BootPlan}.
 * With Secure Boot support on ({@link BootLoaders#shim}) it also decides the signed chain: x64 UEFI PXE clients
 * get shim, and GRUB loads installers over TFTP (doc/secure-boot.md).
 * The table in {@code BootPlannerTest} is the firmware matrix (doc/firmware-matrix.md) as a test.
 */
public final class BootPlanner {
    private final BootEnvironments envs;
    private final BootLoaders loaders;
    private final int httpPort;

    public BootPlanner(BootEnvironments envs, BootLoaders loaders, int httpPort) {
        this.envs = envs;
        this.loaders = loaders;
        this.httpPort = httpPort;
    }

    /**
     * The plan for a client: {@code node} empty for a MAC no node has (it gets the discovery environment),
     * {@code mac} the client's MAC when known, {@code server} the address the client reaches Anvil on.
     */
    public BootPlan plan(Optional<Node> node, Optional<MacAddress> mac, Ipv4Address server, ClientFacts client) {
        BootEnvironment env = environment(node);
        String http = "http://" + server + ":" + httpPort;
        String id = node.map(Node::name).or(() -> mac.map(m -> m.format('-'))).orElse("");
        Optional<String> os = env.os();
        String tree = os.map(o -> http + "/install/" + o).orElse(http + "/boot");
        String k = env.kernel().orElse("");
        String i = env.initrd().orElse("");
        String kernel;
        String initrd;
        String grubKernel;
        String grubInitrd;
        String kernelUrl = tree + "/" + k;
        String initrdUrl = tree + "/" + i;
        if (os.isPresent()) {
            // Installers load from their OS tree over HTTP, GRUB included.
            kernel = kernelUrl;
            initrd = initrdUrl;
            // Debian's signed GRUB (the Secure Boot chain) has no HTTP: it reads the same tree over TFTP, whose
            // install/ folder Anvil serves from the OS trees when dhcp.secureBoot is on (doc/secure-boot.md).
            String grubTree = loaders.secureBoot()
                    ? "/install/" + os.get() + "/"
                    : "(http," + server + ":" + httpPort + ")/install/" + os.get() + "/";
            grubKernel = grubTree + k;
            grubInitrd = grubTree + i;
        } else {
            // The discovery image lies under the TFTP root (served over HTTP at /boot/ too: iPXE takes that).
            kernel = k;
            initrd = i;
            grubKernel = "/" + k;
            grubInitrd = "/" + i;
        }
        return new BootPlan(
                env,
                node.map(Node::name),
                mac,
                loader(env, mac, server, client),
                server,
                http,
                tree,
                kernel,
                initrd,
                kernelUrl,
                initrdUrl,
                grubKernel,
                grubInitrd,
                env.kernelArgs(),
                http + "/nodes/" + id,
                http + "/nodes/" + id + "/install.cfg");
    }

    /** The node's boot environment, or discovery for no node (or a node naming one that is gone). */
    public BootEnvironment environment(Optional<Node> node) {
        return node.flatMap(n -> envs.get(n.bootEnv()))
                .or(() -> envs.get(BootEnvironments.DISCOVERY))
                .orElseThrow();
    }

    private Optional<BootPlan.Loader> loader(
            BootEnvironment env, Optional<MacAddress> mac, Ipv4Address server, ClientFacts client) {
        if (!client.netBoot()) {
            return Optional.empty(); // an ordinary DHCP client (or a config fetch): no boot answer at all
        }
        if (env.localBoot() && !loaders.localBootLoader()) {
            return Optional.empty(); // no file: the firmware goes on to its next boot device, the disk
        }
        if (client.ipxe()) {
            // Already running iPXE: go straight to the node's script, whatever the firmware underneath.
            return Optional.of(new BootPlan.Loader(
                    Firmware.UNKNOWN, expand(loaders.ipxeScript(), mac, server), server, Optional.empty(), true));
        }
        Firmware fw =
                client.archCode().map(ClientArch::new).orElse(ClientArch.BIOS).firmware();
        if (client.httpBoot() && !fw.isHttp()) {
            fw = switch (fw) {
                case EFI_IA32 -> Firmware.HTTP_IA32;
                case EFI_ARM32 -> Firmware.HTTP_ARM32;
                case EFI_ARM64 -> Firmware.HTTP_ARM64;
                default -> Firmware.HTTP_X64;
            };
        }
        // Secure Boot: DHCP cannot tell whether the firmware enforces it, so every x64 UEFI PXE client gets shim,
        // which boots with Secure Boot on or off (as MAAS does); the chain goes on to signed GRUB over TFTP.
        String file = fw == Firmware.EFI_X64 && loaders.secureBoot()
                ? loaders.shim().get()
                : loaders.bootFiles().get(fw);
        if (fw == Firmware.UNKNOWN || file == null) {
            return Optional.empty();
        }
        return Optional.of(new BootPlan.Loader(
                fw,
                expand(file, mac, server),
                server,
                fw.isHttp() ? Optional.of("HTTPClient") : Optional.empty(),
                false));
    }

    private String expand(String template, Optional<MacAddress> mac, Ipv4Address server) {
        return template.replace("{http}", "http://" + server + ":" + httpPort)
                .replace("{server}", server.toString())
                .replace("{httpPort}", Integer.toString(httpPort))
                .replace("{mac}", mac.map(m -> m.format('-')).orElse(""));
    }
}
