package dev.anvil.render;

import dev.anvil.app.InstallTokens;
import dev.anvil.config.InstallConfig;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.boot.BootEnvironment;
import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.ClientAddress;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import java.io.IOException;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's installer answer file ({@code install.cfg}: kickstart, preseed, autoinstall user-data or AutoYaST,
 * by the template of its install boot environment) and its post-install script, rendered on every request
 * from the node's own data, never stored. Each render carries the node's live install token.
 */
public final class InstallFiles {
    private static final Logger log = LoggerFactory.getLogger(InstallFiles.class);
    /** The template every answer file runs (or inlines) at its end. */
    public static final String POST_INSTALL_TEMPLATE = "pxe/post-install.sh.mustache";

    private final Templates templates;
    private final NetworkCatalog networks;
    private final BootEnvironments envs;
    private final Addressing addressing;
    private final InstallConfig config;
    private final InstallTokens tokens;
    private final Path adminKeyFile;
    private final int httpPort;
    private final Predicate<String> unsignedTree;

    public InstallFiles(
            Templates templates,
            NetworkCatalog networks,
            BootEnvironments envs,
            Addressing addressing,
            InstallConfig config,
            InstallTokens tokens,
            Path adminKeyFile,
            int httpPort,
            Predicate<String> unsignedTree) {
        this.templates = templates;
        this.networks = networks;
        this.envs = envs;
        this.addressing = addressing;
        this.config = config;
        this.tokens = tokens;
        this.adminKeyFile = adminKeyFile;
        this.httpPort = httpPort;
        this.unsignedTree = unsignedTree;
    }

    /**
     * The node's install boot environment: its current one when that is an installer. A node that is not
     * being installed has no answer file (and so never gets a fresh token).
     */
    public Optional<BootEnvironment> installEnv(Node node) {
        return envs.get(node.bootEnv()).filter(e -> e.installTemplate().isPresent());
    }

    /** The answer file; 404 when the node has no installer to answer for. */
    public String installConfig(Node node) {
        return installConfig(node, Optional.empty());
    }

    /**
     * The answer file as fetched over IPv6 at {@code v6server} (empty: over IPv4): its URLs name that address in
     * brackets and it is the first DNS server, so an installer without IPv4 can follow them.
     */
    public String installConfig(Node node, Optional<Inet6Address> v6server) {
        BootEnvironment env = requireInstallEnv(node);
        return templates.render(env.installTemplate().get(), scope(node, Optional.of(env), v6server));
    }

    public String postInstall(Node node) {
        return postInstall(node, Optional.empty());
    }

    /** The post-install script, its URLs on {@code v6server} as for {@link #installConfig(Node, Optional)}. */
    public String postInstall(Node node, Optional<Inet6Address> v6server) {
        return templates.render(POST_INSTALL_TEMPLATE, scope(node, Optional.of(requireInstallEnv(node)), v6server));
    }

    private BootEnvironment requireInstallEnv(Node node) {
        return installEnv(node)
                .orElseThrow(() -> new NotFoundException("node " + node.name()
                        + " is not being installed (its boot environment is " + node.bootEnv() + ")"));
    }

    /** The values every answer-file template sees (documented in doc/answer-files.md). */
    public Map<String, Object> scope(Node node, Optional<BootEnvironment> env) {
        return scope(node, env, Optional.empty());
    }

    /** As {@link #scope(Node, Optional)}, for a request that reached {@code v6server} over IPv6. */
    public Map<String, Object> scope(Node node, Optional<BootEnvironment> env, Optional<Inet6Address> v6server) {
        Optional<NodeAddress> addr = node.addresses().stream().findFirst();
        Optional<Network> net = addr.flatMap(a -> networks.get(a.network()));
        String v4server = networks.serverAddress(net);
        String server = v6server.map(Ipv6Prefix64::format).orElse(v4server);
        String http = "http://" + v6server.map(ClientAddress::urlHost).orElse(v4server) + ":" + httpPort;
        String api = http + "/api/v1";
        String[] labels = node.name().split("\\.", 2);

        Map<String, Object> n = new LinkedHashMap<>();
        n.put("name", node.name());
        n.put("hostname", labels[0]);
        n.put("domain", labels.length > 1 ? labels[1] : net.map(Network::domain).orElse(""));
        node.macs().stream().findFirst().ifPresent(m -> n.put("mac", m.toString()));
        addr.ifPresent(a -> n.put("ipv4", a.ipv4().toString()));
        net.ifPresent(x -> {
            n.put("ipv4Prefix", x.cidr().prefixLength());
            n.put("netmask", x.cidr().netmask().toString());
            x.router().ifPresent(r -> n.put("gateway", r.toString()));
            addressing.ipv6(x, node.name()).ifPresent(v6 -> {
                n.put("ipv6", v6.getHostAddress().replaceAll("%.*$", ""));
                n.put("ipv6Prefix", 64);
            });
            n.put("network", x.name());
        });

        // Over IPv6 the address the node reached comes first (a node without IPv4 can only use that one).
        List<String> dns = v6server.isPresent() ? List.of(server, v4server) : List.of(server);
        Map<String, Object> s = new HashMap<>();
        s.put("node", n);
        s.put("dns", dns);
        s.put("dnsCsv", String.join(",", dns));
        s.put("dnsSpace", String.join(" ", dns));
        s.put("ntp", config.ntp());
        s.put("ntpCsv", String.join(",", config.ntp()));
        s.put("ntpSpace", String.join(" ", config.ntp()));
        env.ifPresent(e -> {
            Map<String, Object> os = new LinkedHashMap<>();
            os.put("name", e.os().orElse(""));
            os.put("family", e.osFamily().orElse(""));
            s.put("os", os);
            s.put("tree", http + "/install/" + e.os().orElse(""));
            // a tree whose package index is not signed (pxe/debian-mirror.sh writes the marker): the preseed
            // then tells debian-installer so, or it refuses the mirror
            e.os().filter(unsignedTree).ifPresent(o -> s.put("treeUnsigned", true));
        });
        String nodeUrl = http + "/nodes/" + node.name();
        s.put("http", http);
        s.put("api", api);
        s.put("server", server);
        s.put("nodeUrl", nodeUrl);
        s.put("installUrl", nodeUrl + "/install.cfg");
        s.put("postInstallUrl", nodeUrl + "/post-install.sh");
        s.put("installingUrl", api + "/nodes/" + node.name() + "/installing");
        s.put("callbackUrl", api + "/nodes/" + node.name() + "/install-complete");
        s.put("token", tokens.current(node));
        s.put("sshKeys", sshKeys());
        config.rootPasswordHash().ifPresent(h -> s.put("rootPasswordHash", h));
        return s;
    }

    /** Configured keys, then the admin node's own key (the one the aliveness check logs in with). */
    List<String> sshKeys() {
        List<String> keys = new ArrayList<>(config.sshKeys());
        try {
            if (Files.isRegularFile(adminKeyFile)) {
                String k =
                        Files.readString(adminKeyFile, StandardCharsets.UTF_8).strip();
                if (!k.isEmpty() && !keys.contains(k)) {
                    keys.add(k);
                }
            }
        } catch (IOException e) {
            // The configured keys still go in; without Anvil's own the aliveness check cannot log in.
            log.warn("cannot read the admin key {} for an answer file: {}", adminKeyFile, e.toString());
        }
        return keys;
    }
}
