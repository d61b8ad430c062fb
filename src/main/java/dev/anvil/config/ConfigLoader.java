package dev.anvil.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import dev.anvil.core.boot.BootEnvironment;
import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkDraft;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the YAML (or JSON, which is YAML too) configuration into an {@link AnvilConfig}, reporting every
 * problem with the path of the field it concerns, e.g. {@code networks[0].cidr: 10.0.0.0/33 is not a valid
 * IPv4 CIDR}.
 *
 * <p>Size: over 300 lines because one pass that reads the YAML tree and names every problem with its field; the
 * per-section drafts hold the rest.
 */
public final class ConfigLoader {
    static final String DEFAULT_RESOURCE = "anvil/default-config.yaml";
    static final String BOOTENVS_RESOURCE = "anvil/pxe/bootenvs.yaml";
    private static final Set<String> TOP_LEVEL = Set.of(
            "stateDir",
            "store",
            "api",
            "http",
            "dhcp",
            "tftp",
            "power",
            "dns",
            "install",
            "lifecycle",
            "discovery",
            "timeline",
            "dhcp6",
            "ra",
            "adminNetwork",
            "networks",
            "bootEnvironments");

    /** A fraction where a whole number is expected is the wrong type, not silently cut ({@code id: 1.5} was 1). */
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    /** The configuration built into the jar: unprivileged ports on loopback, state under ./var, one admin network. */
    public AnvilConfig embeddedDefault() {
        return parse(resource(DEFAULT_RESOURCE), "embedded default configuration");
    }

    public AnvilConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("", "config file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidInputException("", "cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses configuration text; {@code source} names it in messages. */
    public AnvilConfig parse(String text, String source) {
        JsonNode root;
        try {
            root = yaml.readTree(text);
        } catch (JacksonException e) {
            throw new InvalidInputException(
                    "",
                    source + " is not valid YAML: " + e.getOriginalMessage()
                            + (e.getLocation() != null
                                    ? " (line " + e.getLocation().getLineNr() + ")"
                                    : ""));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = yaml.createObjectNode();
        }
        if (!root.isObject()) {
            throw new InvalidInputException("", source + " must be a mapping of settings");
        }
        List<Violation> v = new ArrayList<>();
        unknownFields(root, TOP_LEVEL, "", v);

        Path stateDir = Path.of(text(root, "stateDir", "./var", "", v));
        StoreConfig store = section(root.path("store"), "store", StoreDraft.class, v, StoreDraft::validate);
        ApiConfig api = section(root.path("api"), "api", ApiDraft.class, v, ApiDraft::validate);
        HttpConfig http = section(root.path("http"), "http", HttpDraft.class, v, HttpDraft::validate);
        if (http != null) {
            checkSeparate(api == null ? null : api.listen(), http.listen(), v);
        }
        DhcpConfig dhcp = dhcp(root.path("dhcp"), v);
        TftpConfig tftp = section(root.path("tftp"), "tftp", TftpDraft.class, v, TftpDraft::validate);
        DnsConfig dns = section(root.path("dns"), "dns", DnsDraft.class, v, DnsDraft::validate);
        InstallConfig install = section(root.path("install"), "install", InstallDraft.class, v, InstallDraft::validate);
        LifecycleConfig lifecycle =
                section(root.path("lifecycle"), "lifecycle", LifecycleDraft.class, v, LifecycleDraft::validate);
        DiscoveryConfig discovery =
                section(root.path("discovery"), "discovery", DiscoveryDraft.class, v, DiscoveryDraft::validate);
        TimelineConfig timeline =
                section(root.path("timeline"), "timeline", TimelineDraft.class, v, TimelineDraft::validate);
        Dhcp6Config dhcp6 = root.has("dhcp6")
                ? section(root.path("dhcp6"), "dhcp6", Dhcp6Draft.class, v, Dhcp6Draft::validate)
                : Dhcp6Config.defaults();
        RaConfig ra = section(root.path("ra"), "ra", RaDraft.class, v, RaDraft::validate);
        PowerConfig power = section(root.path("power"), "power", PowerDraft.class, v, PowerDraft::validate);
        if (dhcp6 != null
                && dhcp != null
                && dhcp6.enabled().orElse(false)
                && dhcp6.interfaces(dhcp).isEmpty()) {
            v.add(new Violation(
                    "dhcp6.interfaces",
                    "at least one interface is required when dhcp6 is enabled (or dhcp.interfaces)"));
        }
        List<Network> networks = networks(root.path("networks"), v);
        if (ra != null) {
            ra.interfaces().keySet().stream()
                    .filter(n -> networks.stream().noneMatch(x -> x.name().equals(n)))
                    .sorted()
                    .forEach(n ->
                            v.add(new Violation("ra.interfaces." + n, "\"" + n + "\" is not one of the networks")));
        }
        String admin = text(
                root,
                "adminNetwork",
                networks.isEmpty() ? null : networks.get(0).name(),
                "",
                v);
        if (admin == null) {
            if (root.path("networks").size() == 0) {
                v.add(new Violation("networks", "at least one network is required"));
            }
        } else if (networks.stream().noneMatch(n -> n.name().equals(admin))) {
            v.add(new Violation("adminNetwork", "\"" + admin + "\" is not one of the networks"));
        } else {
            int i = indexOf(root.path("networks"), admin);
            if (networks.stream()
                    .anyMatch(n -> n.name().equals(admin) && n.serverAddress().isEmpty())) {
                v.add(new Violation(
                        "networks[" + i + "].serverAddress",
                        "is required on the admin network (" + admin
                                + "): the address machines reach Anvil at, "
                                + "in the URLs and name servers they are given"));
            }
        }
        BootEnvironments envs = bootEnvironments(root.path("bootEnvironments"), v);
        if (lifecycle != null && envs != null) {
            for (int i = 0; i < lifecycle.autoInstall().size(); i++) {
                String os = lifecycle.autoInstall().get(i).os();
                if (envs.installerFor(os).isEmpty()) {
                    v.add(new Violation(
                            "lifecycle.autoInstall[" + i + "].os",
                            "no installer boot environment for \"" + os + "\" (known: "
                                    + String.join(", ", envs.installableOses()) + ")"));
                }
            }
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new AnvilConfig(
                stateDir, store, api, http, dhcp, tftp, dns, install, lifecycle, discovery, timeline, dhcp6, ra, power,
                admin, networks, envs);
    }

    /**
     * The listeners as the daemon will open them (the configuration with the command line's flags): the boot
     * listener has a port of its own, never 0, because it is written into the URLs machines are handed (boot
     * configs, answer files, {@code {httpPort}}); and the admin API and the boot listener never share an address:
     * the boot network must not reach the API. The API may ask for port 0 (the OS picks). {@code api} may be null
     * (already reported).
     */
    public static void checkSeparate(HostPort api, HostPort boot, List<Violation> v) {
        if (boot.port() == 0) {
            v.add(new Violation(
                    "http.listen",
                    boot + ": port 0 would be written into the URLs machines are handed "
                            + "(boot configs, answer files); give the boot listener a fixed port"));
        }
        if (api != null
                && api.port() != 0
                && api.port() == boot.port()
                && (api.host().equals(boot.host()) || wildcard(api.host()) || wildcard(boot.host()))) {
            v.add(new Violation(
                    "api.listen",
                    api + " overlaps http.listen " + boot + ": the admin API must not be "
                            + "served on the boot listener; give it its own address or port"));
        }
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }

    private DhcpConfig dhcp(JsonNode node, List<Violation> v) {
        return section(node, "dhcp", DhcpDraft.class, v, DhcpDraft::validate);
    }

    /** Binds a section to its draft and validates it, collecting problems under the section's name. */
    private <D, T> T section(
            JsonNode node, String name, Class<D> type, List<Violation> v, java.util.function.Function<D, T> validate) {
        if (node.isMissingNode() || node.isNull()) {
            node = yaml.createObjectNode();
        }
        D d = bind(node, type, name, v);
        if (d == null) {
            return null;
        }
        try {
            return validate.apply(d);
        } catch (InvalidInputException e) {
            v.addAll(e.under(name).violations());
            return null;
        }
    }

    private List<Network> networks(JsonNode node, List<Violation> v) {
        List<Network> out = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            v.add(new Violation("networks", "must be a list"));
            return out;
        }
        Set<String> names = new HashSet<>();
        Set<Integer> ids = new HashSet<>();
        Map<Network, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "networks[" + i + "]";
            NetworkDraft draft = bind(node.get(i), NetworkDraft.class, path, v);
            if (draft == null) {
                continue;
            }
            try {
                Network n = draft.validate();
                if (!names.add(n.name())) {
                    v.add(new Violation(path + ".name", "\"" + n.name() + "\" is used by an earlier network"));
                } else if (!ids.add(n.id())) {
                    v.add(new Violation(path + ".id", n.id() + " is used by an earlier network"));
                } else {
                    // A packet's network is found by address: two networks holding one address would be ambiguous.
                    index.forEach((o, j) -> {
                        if (o.cidr().overlaps(n.cidr())) {
                            v.add(new Violation(
                                    path + ".cidr",
                                    n.cidr() + " overlaps networks[" + j + "] (" + o.name() + ", " + o.cidr() + ")"));
                        }
                    });
                    index.put(n, i);
                    out.add(n);
                }
            } catch (InvalidInputException e) {
                v.addAll(e.under(path).violations());
            }
        }
        return out;
    }

    /** The position of the network named {@code name} in the {@code networks} list as written. */
    private static int indexOf(JsonNode networks, String name) {
        for (int i = 0; i < networks.size(); i++) {
            if (name.equals(networks.get(i).path("name").asText())) {
                return i;
            }
        }
        return -1;
    }

    private BootEnvironments bootEnvironments(JsonNode overrides, List<Violation> v) {
        Map<String, BootEnvironment> envs = new LinkedHashMap<>();
        JsonNode shipped;
        try {
            shipped = yaml.readTree(resource(BOOTENVS_RESOURCE));
        } catch (JacksonException e) {
            throw new IllegalStateException("the shipped " + BOOTENVS_RESOURCE + " is broken", e);
        }
        List<Violation> shippedProblems = new ArrayList<>();
        addBootEnvs(shipped, "shipped bootenvs.yaml", envs, shippedProblems);
        if (!shippedProblems.isEmpty()) {
            throw new IllegalStateException("the shipped boot environments are invalid: " + shippedProblems);
        }
        if (!overrides.isMissingNode() && !overrides.isNull()) {
            if (!overrides.isArray()) {
                v.add(new Violation("bootEnvironments", "must be a list"));
            } else {
                addBootEnvs(overrides, "bootEnvironments", envs, v);
            }
        }
        return new BootEnvironments(envs.values());
    }

    private void addBootEnvs(JsonNode list, String path, Map<String, BootEnvironment> into, List<Violation> v) {
        for (int i = 0; i < list.size(); i++) {
            String p = path + "[" + i + "]";
            BootEnvDraft d = bind(list.get(i), BootEnvDraft.class, p, v);
            if (d == null) {
                continue;
            }
            try {
                BootEnvironment env = d.validate();
                into.put(env.name(), env);
            } catch (InvalidInputException e) {
                v.addAll(e.under(p).violations());
            }
        }
    }

    private <T> T bind(JsonNode node, Class<T> type, String path, List<Violation> v) {
        if (!(node instanceof ObjectNode)) {
            v.add(new Violation(path, "must be a mapping"));
            return null;
        }
        try {
            return yaml.treeToValue(node, type);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce("", String::concat);
            String msg = e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException
                    ? "unknown field"
                    : "has the wrong type (" + e.getOriginalMessage().split("\n")[0] + ")";
            v.add(new Violation(path + field, msg));
            return null;
        } catch (JacksonException e) {
            v.add(new Violation(path, e.getOriginalMessage()));
            return null;
        }
    }

    private static void unknownFields(JsonNode node, Set<String> known, String prefix, List<Violation> v) {
        node.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                v.add(new Violation(
                        prefix + f,
                        "unknown field (known: "
                                + String.join(", ", known.stream().sorted().toList()) + ")"));
            }
        });
    }

    private static String text(JsonNode node, String field, String fallback, String prefix, List<Violation> v) {
        JsonNode n = node.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return fallback;
        }
        if (!n.isTextual()) {
            v.add(new Violation(prefix + field, "must be text"));
            return fallback;
        }
        return n.asText();
    }

    private static String resource(String name) {
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }
}
