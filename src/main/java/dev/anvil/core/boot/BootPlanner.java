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
        return plan(node, mac, server, server.toString(), client);
    }

    /**
     * As {@link #plan(Optional, Optional, Ipv4Address, ClientFacts)}, with the URLs naming the server by {@code
     * host}: its IPv4 address, or an IPv6 address in brackets ({@code [fd00::1]}) for a client that came over
     * IPv6 ({@link BootClient#host}); {@code server} stays the IPv4 next server of the DHCP answer.
     */
    public BootPlan plan(
            Optional<Node> node, Optional<MacAddress> mac, Ipv4Address server, String host, ClientFacts client) {
        BootEnvironment env = environment(node);
        String http = http(host);
        Answer answer = loader(env, client, t -> expand(t, mac, host, http));
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
                    : "(http," + host + ":" + httpPort + ")/install/" + os.get() + "/";
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
                servedBy(answer, server),
                answer.missing(),
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

    /**
     * Only the loader of {@link #plan(Optional, Optional, Ipv4Address, ClientFacts)}: what DHCP puts in every
     * answer, without the URLs of the rest of the plan (a DHCP server asks on every packet; a client that does
     * not network-boot, most of them, costs nothing here).
     */
    public Optional<BootPlan.Loader> loader(
            Optional<Node> node, Optional<MacAddress> mac, Ipv4Address server, ClientFacts client) {
        if (!client.netBoot()) {
            return Optional.empty();
        }
        String host = server.toString();
        String http = http(host);
        return servedBy(loader(environment(node), client, t -> expand(t, mac, host, http)), server);
    }

    /** The answer's loader with {@code server} as its next server (the DHCPv4 answers'). */
    private static Optional<BootPlan.Loader> servedBy(Answer answer, Ipv4Address server) {
        return answer.loader()
                .map(f -> new BootPlan.Loader(f.firmware(), f.file(), server, f.vendorClass(), f.ipxeScript()));
    }

    /** The base of the URLs naming the server by {@code host}. */
    private String http(String host) {
        return "http://" + host + ":" + httpPort;
    }

    /**
     * The arm64 discovery image ({@link BootEnvironments#DISCOVERY_ARM64}) when {@code env} is the discovery
     * environment and an arm64 one is defined: GRUB's config boots it on arm64 (doc/firmware-matrix.md).
     */
    public Optional<BootEnvironment> arm64Discovery(BootEnvironment env) {
        if (!env.name().equals(BootEnvironments.DISCOVERY)) {
            return Optional.empty();
        }
        return envs.get(BootEnvironments.DISCOVERY_ARM64)
                .filter(e -> e.kernel().isPresent() && e.initrd().isPresent());
    }

    /** The node's boot environment, or discovery for no node (or a node naming one that is gone). */
    public BootEnvironment environment(Optional<Node> node) {
        return node.flatMap(n -> envs.get(n.bootEnv()))
                .or(() -> envs.get(BootEnvironments.DISCOVERY))
                .orElseThrow();
    }

    /**
     * The boot answer for a DHCPv6 client (RFC 5970 option 59): the same loader the plan names for DHCPv4, as a
     * URL on {@code v6server}, the IPv6 address the client reaches Anvil on: {@code tftp://[addr]/file} for a TFTP
     * loader, the loader's own {@code http://[addr]:port/...} URL for UEFI HTTP boot and for iPXE's script. Empty
     * exactly when {@link #plan} gives no loader.
     */
    public Optional<String> bootFileUrl(
            Optional<Node> node, Optional<MacAddress> mac, java.net.Inet6Address v6server, ClientFacts client) {
        String host = "[" + dev.anvil.core.net.Ipv6Prefix64.format(v6server) + "]";
        String http = http(host);
        return loader(environment(node), client, t -> expand(t, mac, host, http))
                .loader()
                .map(l -> {
                    String f = l.file();
                    return f.contains("://") ? f : "tftp://" + host + "/" + (f.startsWith("/") ? f.substring(1) : f);
                });
    }

    /**
     * The loader for a client, or none; {@code missing} says why a client that asked for a network boot gets none
     * when that is not the plan's intent (an architecture with no loader family), for one clear log line.
     */
    private record Answer(Optional<BootPlan.Loader> loader, Optional<String> missing) {
        static final Answer NONE = new Answer(Optional.empty(), Optional.empty());

        static Answer of(BootPlan.Loader l) {
            return new Answer(Optional.of(l), Optional.empty());
        }
    }

    /** The loader with its file expanded by {@code expand}; its next server is filled in by the caller. */
    private Answer loader(BootEnvironment env, ClientFacts client, java.util.function.UnaryOperator<String> expand) {
        if (!client.netBoot()) {
            return Answer.NONE; // an ordinary DHCP client (or a config fetch): no boot answer at all
        }
        if (env.localBoot() && !loaders.localBootLoader()) {
            return Answer.NONE; // no file: the firmware goes on to its next boot device, the disk
        }
        if (client.ipxe()) {
            // Already running iPXE: go straight to the node's script, whatever the firmware underneath.
            return Answer.of(new BootPlan.Loader(
                    Firmware.UNKNOWN, expand.apply(loaders.ipxeScript()), null, Optional.empty(), true));
        }
        ClientArch arch = client.archCode().map(ClientArch::new).orElse(ClientArch.BIOS);
        Firmware fw = arch.firmware();
        if (client.httpBoot() && !fw.isHttp()) {
            // An HTTP-boot client naming its PXE architecture gets that family's HTTP loader; one naming a
            // non-UEFI architecture gets none (an x64 UEFI loader would not run there); one naming none, x64's.
            fw = switch (fw) {
                case EFI_IA32 -> Firmware.HTTP_IA32;
                case EFI_X64 -> Firmware.HTTP_X64;
                case EFI_ARM32 -> Firmware.HTTP_ARM32;
                case EFI_ARM64 -> Firmware.HTTP_ARM64;
                default -> client.archCode().isEmpty() ? Firmware.HTTP_X64 : Firmware.UNKNOWN;
            };
        }
        // Secure Boot: DHCP cannot tell whether the firmware enforces it, so every x64 UEFI PXE client gets shim,
        // which boots with Secure Boot on or off (as MAAS does); the chain goes on to signed GRUB over TFTP.
        String file = fw == Firmware.EFI_X64 && loaders.secureBoot()
                ? loaders.shim().get()
                : loaders.bootFiles().get(fw);
        if (fw == Firmware.UNKNOWN || file == null) {
            return new Answer(Optional.empty(), Optional.of(missing(arch, fw, client)));
        }
        return Answer.of(new BootPlan.Loader(
                fw, expand.apply(file), null, fw.isHttp() ? Optional.of("HTTPClient") : Optional.empty(), false));
    }

    /** Why a network-boot client of {@code arch} gets no loader, naming the {@code dhcp.bootFiles} key it lacks. */
    private static String missing(ClientArch arch, Firmware fw, ClientFacts client) {
        String vendor = client.vendorClass().isEmpty() ? "no vendor class" : "vendor class " + client.vendorClass();
        if (fw != Firmware.UNKNOWN) {
            return "client architecture " + arch.describe() + " (" + vendor + "): no dhcp.bootFiles." + fw.key()
                    + " configured; no boot answer";
        }
        StringBuilder keys = new StringBuilder();
        for (Firmware f : Firmware.values()) {
            if (f != Firmware.UNKNOWN) {
                keys.append(keys.isEmpty() ? "" : ", ").append(f.key());
            }
        }
        return "client architecture " + arch.describe() + " (" + vendor + "): Anvil has no loader for it (no "
                + "dhcp.bootFiles key; the keys are " + keys + "); no boot answer";
    }

    private static String expand(String template, Optional<MacAddress> mac, String server, String http) {
        return template.replace("{http}", http)
                .replace("{server}", server)
                .replace("{httpPort}", http.substring(http.lastIndexOf(':') + 1))
                .replace("{mac}", mac.map(m -> m.format('-')).orElse(""));
    }
}
