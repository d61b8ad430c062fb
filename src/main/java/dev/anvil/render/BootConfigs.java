package dev.anvil.render;

import dev.anvil.core.boot.BootClient;
import dev.anvil.core.boot.BootPlan;
import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.boot.ClientFacts;
import dev.anvil.core.boot.GeneratedFiles;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.ClientAddress;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeDirectory;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-node boot configs rendered from the node's boot environment on every request, never stored: pxelinux
 * ({@code pxelinux.cfg/01-<mac>}, {@code pxelinux.cfg/<HEXIP>}, {@code pxelinux.cfg/default}), GRUB
 * ({@code grub.cfg-01-<mac>} anywhere; {@code grub/grub.cfg}, rendered for the client that asks when its address
 * names it (a node's reservation or a lease), else chaining to the former by GRUB's MAC) and
 * iPXE ({@code nodes/<mac>/boot.ipxe}, {@code boot.ipxe}). An unknown MAC, and the default files, get the
 * discovery environment. URLs in them name the server as the client reached it: the network's {@code serverAddress},
 * or, for a client that came over IPv6, the IPv6 address it reached, in brackets ({@code http://[fd00::1]:8080}).
 */
public final class BootConfigs implements GeneratedFiles {
    private static final String MAC = "([0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5})";
    private static final Pattern PXELINUX_MAC = Pattern.compile("pxelinux\\.cfg/01-" + MAC);
    private static final Pattern PXELINUX_HEX = Pattern.compile("pxelinux\\.cfg/([0-9A-Fa-f]{8})");
    private static final Pattern GRUB_MAC = Pattern.compile("(?:.*/)?grub\\.cfg-01-" + MAC);
    private static final Pattern IPXE_MAC = Pattern.compile("nodes/" + MAC + "/boot\\.ipxe");

    private final Templates templates;
    private final NodeDirectory nodes;
    private final NetworkCatalog networks;
    private final BootPlanner planner;
    private final Addressing addressing;
    private final Function<Ipv4Address, Optional<MacAddress>> leaseHolder;

    /** Without leases: {@code grub/grub.cfg} knows a client by a node's reserved address only. */
    public BootConfigs(
            Templates templates,
            NodeDirectory nodes,
            NetworkCatalog networks,
            BootPlanner planner,
            Addressing addressing) {
        this(templates, nodes, networks, planner, addressing, ip -> Optional.empty());
    }

    /**
     * @param leaseHolder the MAC holding a live DHCP lease on an address (a pool client, or a node without a
     *     reservation), by which {@code grub/grub.cfg} is rendered for the client that asks for it
     */
    public BootConfigs(
            Templates templates,
            NodeDirectory nodes,
            NetworkCatalog networks,
            BootPlanner planner,
            Addressing addressing,
            Function<Ipv4Address, Optional<MacAddress>> leaseHolder) {
        this.templates = templates;
        this.nodes = nodes;
        this.networks = networks;
        this.planner = planner;
        this.addressing = addressing;
        this.leaseHolder = leaseHolder;
    }

    @Override
    public Optional<byte[]> render(String path, BootClient who) {
        Reached client = Reached.of(who);
        Matcher m;
        String text = null;
        if (path.equals("pxelinux.cfg/default")) {
            text = templates.render("pxe/pxelinux.cfg.mustache", scope(Optional.empty(), Optional.empty(), client));
        } else if ((m = PXELINUX_MAC.matcher(path)).matches()) {
            text = byMac(m.group(1), client, "pxe/pxelinux.cfg.mustache");
        } else if ((m = PXELINUX_HEX.matcher(path)).matches()) {
            Optional<Node> n = nodes.byIpv4(new Ipv4Address((int) Long.parseLong(m.group(1), 16)));
            if (n.isEmpty()) {
                return Optional.empty(); // pxelinux goes on down its search list to "default"
            }
            text = templates.render(
                    "pxe/pxelinux.cfg.mustache",
                    scope(n, n.get().macs().stream().findFirst(), client));
        } else if ((m = GRUB_MAC.matcher(path)).matches()) {
            text = byMac(m.group(1), client, "pxe/grub.cfg.mustache");
        } else if (path.equals("grub/grub.cfg") || path.equals("grub.cfg")) {
            // The fixed name GRUB reads first (Debian's signed grubnetx64.efi asks for nothing per MAC). Rendered for
            // the client that asks, known by its address (a node's reservation, else the MAC of the lease on it):
            // that node's own config. A client not known so gets a config that chains to grub.cfg-01-<mac> by
            // GRUB's own $net_default_mac, else boots discovery.
            Optional<MacAddress> known = who.ipv4().flatMap(this::macAt);
            Map<String, Object> s;
            if (known.isPresent()) {
                Optional<Node> n = who.ipv4().flatMap(nodes::byIpv4).or(() -> nodes.byMac(known.get()));
                s = scope(n, known, client);
                s.put("clientIp", who.ipv4().get().toString());
            } else {
                s = scope(Optional.empty(), Optional.empty(), client);
                s.put("chain", true);
            }
            text = templates.render("pxe/grub.cfg.mustache", s);
        } else if ((m = IPXE_MAC.matcher(path)).matches()) {
            text = byMac(m.group(1), client, "pxe/boot.ipxe.mustache");
        } else if (path.equals("boot.ipxe")) {
            text = templates.render(
                    "pxe/chain.ipxe.mustache",
                    Map.of(
                            "chainUrl",
                            "tftp://"
                                    + client.v6server()
                                            .map(ClientAddress::urlHost)
                                            .orElse("${next-server}")
                                    + "/nodes/${mac:hexhyp}/boot.ipxe"));
        }
        return Optional.ofNullable(text).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    /** The MAC of the client at {@code ip}: a node's (its reservation), else the holder of a live lease on it. */
    private Optional<MacAddress> macAt(Ipv4Address ip) {
        if (ip.equals(new Ipv4Address(0))) {
            return Optional.empty();
        }
        return nodes.byIpv4(ip).flatMap(n -> n.macs().stream().findFirst()).or(() -> leaseHolder.apply(ip));
    }

    /** A boot config of a known node, as its first address would fetch it. */
    public String forNode(Node node, String template) {
        return forNode(node, template, Optional.empty());
    }

    /**
     * A boot config of a known node as {@code who} fetched it (the boot listener's {@code /nodes/...} routes): its
     * URLs on the IPv6 address the request reached when it came over IPv6, else on the server address of the node's
     * first network; for an IPv6 client, {@code ip6} holds its address ({@link #scope}).
     */
    public String forNode(Node node, String template, Optional<BootClient> who) {
        Ipv4Address client =
                node.addresses().stream().findFirst().map(a -> a.ipv4()).orElse(new Ipv4Address(0));
        Reached reached = who.map(w -> new Reached(client, w.v6Server(), w.ipv6()))
                .orElse(new Reached(client, Optional.empty(), Optional.empty()));
        return templates.render(
                template, scope(Optional.of(node), node.macs().stream().findFirst(), reached));
    }

    /** A boot config for a MAC: its node's, or the discovery one when no node has that MAC. */
    public String forMac(MacAddress mac, String template) {
        return forMac(mac, template, Optional.empty());
    }

    /** As {@link #forMac(MacAddress, String)}, as {@code who} fetched it (see {@link #forNode}). */
    public String forMac(MacAddress mac, String template, Optional<BootClient> who) {
        Optional<Node> n = nodes.byMac(mac);
        if (n.isPresent()) {
            return forNode(n.get(), template, who);
        }
        Reached reached = who.map(w -> new Reached(new Ipv4Address(0), w.v6Server(), w.ipv6()))
                .orElse(new Reached(new Ipv4Address(0), Optional.empty(), Optional.empty()));
        return templates.render(template, scope(Optional.empty(), Optional.of(mac), reached));
    }

    private String byMac(String dashed, Reached client, String template) {
        MacAddress mac = MacAddress.parse(dashed.toLowerCase(Locale.ROOT));
        return templates.render(template, scope(nodes.byMac(mac), Optional.of(mac), client));
    }

    /**
     * How a request reached Anvil, for the URLs: {@code ipv4} picks the network whose {@code serverAddress} the URLs
     * name (0: the first network's), {@code v6server} replaces it, in brackets, for a client that came over IPv6;
     * {@code v6client} is that client's own IPv6 address.
     */
    record Reached(Ipv4Address ipv4, Optional<Inet6Address> v6server, Optional<Inet6Address> v6client) {
        static Reached of(BootClient who) {
            return new Reached(who.ipv4().orElse(new Ipv4Address(0)), who.v6Server(), who.ipv6());
        }
    }

    /**
     * {@code addr/64} for a client that came over IPv6 from an address in a served network's /64 (the address it
     * holds from Anvil's DHCPv6: a pool address, or a node's derived one); empty otherwise (IPv4, link-local, an
     * address outside every served /64). The discovery environment passes it as {@code anvil.ip6=}, as pxelinux's
     * IPAPPEND passes the IPv4 lease: the image takes that address instead of asking DHCPv6 again.
     */
    Optional<String> clientIpv6(Reached client) {
        return client.v6client()
                .filter(a -> !a.isLinkLocalAddress())
                .filter(a -> addressing.containing(networks.all(), a).isPresent())
                .map(a -> Ipv6Prefix64.format(a) + "/64");
    }

    /** The values every boot template sees: the client's {@link BootPlan}, spelled out for the templates. */
    Map<String, Object> scope(Optional<Node> node, Optional<MacAddress> mac, Reached client) {
        Ipv4Address server = Ipv4Address.parse(networks.serverAddress(networks.containing(client.ipv4())));
        String host = client.v6server().map(ClientAddress::urlHost).orElse(server.toString());
        BootPlan plan = planner.plan(node, mac, server, host, ClientFacts.NONE);
        Map<String, Object> s = new HashMap<>();
        // The address the client reached: IPv4, or the IPv6 address (without brackets) it came over.
        s.put("server", client.v6server().map(Ipv6Prefix64::format).orElse(server.toString()));
        clientIpv6(client).ifPresent(a -> s.put("ip6", a));
        s.put("http", plan.http());
        s.put("api", plan.http() + "/api/v1");
        s.put("env", plan.env().name());
        s.put("localBoot", plan.localBoot());
        mac.ifPresent(x -> s.put("mac", x.format('-')));
        plan.nodeName().ifPresent(n -> s.put("node", Map.of("name", n, "hostname", n.split("\\.", 2)[0])));
        s.put("nodeUrl", plan.nodeUrl());
        s.put("installUrl", plan.answerFileUrl());
        s.put("tree", plan.tree());
        s.put("kernel", plan.kernel());
        s.put("initrd", plan.initrd());
        s.put("kernelUrl", plan.kernelUrl());
        s.put("initrdUrl", plan.initrdUrl());
        s.put("grubKernel", plan.grubKernel());
        s.put("grubInitrd", plan.grubInitrd());
        s.put(
                "kernelArgs",
                templates
                        .renderInline(plan.env().name() + "-args", plan.kernelArgs(), s)
                        .trim());
        // GRUB on arm64 ($grub_cpu) boots the arm64 discovery image: its own kernel, initrd and arguments
        planner.arm64Discovery(plan.env()).ifPresent(a -> {
            Map<String, Object> arm = new HashMap<>();
            arm.put("grubKernel", "/" + a.kernel().orElseThrow());
            arm.put("grubInitrd", "/" + a.initrd().orElseThrow());
            arm.put(
                    "kernelArgs",
                    templates
                            .renderInline(a.name() + "-args", a.kernelArgs(), s)
                            .trim());
            s.put("arm64", arm);
        });
        return s;
    }
}
