package dev.anvil.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anvil.app.NodeService;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.Violation;
import dev.anvil.core.boot.BootEnvironment;
import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.DomainName;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeState;
import dev.anvil.core.power.PowerReading;
import dev.anvil.store.NetworkStore;
import dev.anvil.store.NodeQuery;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code /api/v1/nodes}: list, get (by name or MAC), create, update, delete. */
public final class NodeRoutes {
    private static final Set<String> UPDATE_FIELDS = Set.of("name", "macs", "bootEnv", "targetOs", "available");

    private final NodeService nodes;
    private final NetworkStore networks;
    private final BootEnvironments bootEnvs;
    private final Addressing addressing;
    private final String adminNetwork;
    private final Json json;

    /** What each node's BMC last said (empty: no reading). */
    private final Function<Node, Optional<PowerReading>> power;

    public NodeRoutes(
            NodeService nodes,
            NetworkStore networks,
            BootEnvironments bootEnvs,
            Addressing addressing,
            String adminNetwork,
            Json json,
            Function<Node, Optional<PowerReading>> power) {
        this.power = power;
        this.nodes = nodes;
        this.networks = networks;
        this.bootEnvs = bootEnvs;
        this.addressing = addressing;
        this.adminNetwork = adminNetwork;
        this.json = json;
    }

    public void register(Router r) {
        r.add(HttpMethod.GET, "/api/v1/nodes", this::list);
        r.add(HttpMethod.POST, "/api/v1/nodes", this::create);
        r.add(HttpMethod.GET, "/api/v1/nodes/{id}", req -> ApiResponse.ok(show(find(req.param("id")))));
        r.add(HttpMethod.PATCH, "/api/v1/nodes/{id}", this::update);
        r.add(HttpMethod.DELETE, "/api/v1/nodes/{id}", req -> {
            nodes.delete(find(req.param("id")).name());
            return ApiResponse.noContent();
        });
    }

    private ApiResponse list(ApiRequest req) {
        Optional<NodeState> state = req.queryParam("state")
                .map(s -> NodeState.fromWireName(s)
                        .orElseThrow(() -> ApiException.badRequest("unknown state \"" + s + "\"", "state")));
        Map<String, Network> nets = networkMap();
        List<NodeJson> out = nodes.list(new NodeQuery(state, req.queryParam("bootEnv"))).stream()
                .map(n -> NodeJson.of(n, nets, addressing, power.apply(n)))
                .toList();
        return ApiResponse.ok(out);
    }

    private ApiResponse create(ApiRequest req) {
        NodeCreateJson in = json.read(req.body(), NodeCreateJson.class);
        List<Violation> v = new ArrayList<>();
        String name = field(v, "name", in.name(), this::qualify);
        List<MacAddress> macs = macs(v, in.macs());
        Map<String, Optional<Ipv4Address>> addrs = new LinkedHashMap<>();
        if (in.addresses() == null || in.addresses().isEmpty()) {
            addrs.put(adminNetwork, Optional.empty());
        } else {
            in.addresses()
                    .forEach((net, a) -> addrs.put(
                            net,
                            a == null || a.equals("auto")
                                    ? Optional.empty()
                                    : Optional.ofNullable(field(v, "addresses." + net, a, Ipv4Address::parse))));
        }
        String env = in.bootEnv() == null ? BootEnvironments.DISCOVERY : in.bootEnv();
        Optional<BootEnvironment> be = bootEnvs.get(env);
        if (be.isEmpty()) {
            v.add(new Violation("bootEnv", "no boot environment named \"" + env + "\""));
        }
        Optional<String> os = Optional.ofNullable(in.targetOs()).or(() -> be.flatMap(BootEnvironment::os));
        if (be.flatMap(BootEnvironment::os).isPresent() && !os.equals(be.get().os())) {
            v.add(new Violation("targetOs", "\"" + os.orElse("") + "\" does not match the installer " + env));
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        Node n = nodes.create(new NodeDraft(
                name,
                macs,
                addrs,
                env,
                os,
                in.available() == null || in.available(),
                be.get().initialState()));
        return ApiResponse.created(show(n));
    }

    private ApiResponse update(ApiRequest req) {
        Node node = find(req.param("id"));
        JsonNode body = json.read(req.body(), JsonNode.class);
        if (!(body instanceof ObjectNode obj)) {
            throw ApiException.badRequest("the request body must be a JSON object", null);
        }
        for (var it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!UPDATE_FIELDS.contains(f)) {
                throw ApiException.badRequest("unknown field \"" + f + "\"", f);
            }
        }
        List<Violation> v = new ArrayList<>();
        Optional<String> name = text(v, obj, "name").map(s -> field(v, "name", s, this::qualify));
        Optional<List<MacAddress>> macs = Optional.empty();
        if (obj.has("macs")) {
            List<String> raw = new ArrayList<>();
            if (!obj.get("macs").isArray()) {
                v.add(new Violation("macs", "must be a list of MAC addresses"));
            } else {
                obj.get("macs").forEach(m -> raw.add(m.isTextual() ? m.asText() : m.toString()));
                macs = Optional.of(macs(v, raw));
            }
        }
        Optional<String> env = text(v, obj, "bootEnv");
        Optional<Optional<String>> os = obj.has("targetOs")
                ? Optional.of(obj.get("targetOs").isNull() ? Optional.empty() : text(v, obj, "targetOs"))
                : Optional.empty();
        Optional<Boolean> available = Optional.empty();
        if (obj.has("available")) {
            if (!obj.get("available").isBoolean()) {
                v.add(new Violation("available", "must be true or false"));
            } else {
                available = Optional.of(obj.get("available").asBoolean());
            }
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        NodeChange change = new NodeChange(name, macs, env, os, available, Optional.empty(), Optional.empty());
        return ApiResponse.ok(show(nodes.update(node.name(), change)));
    }

    /** Finds a node by name, or by MAC when the id looks like one. */
    /** A node by name (short names get the admin domain) or by any of its MACs; 404 otherwise. */
    public Node find(String id) {
        Optional<Node> n;
        try {
            n = nodes.findByMac(MacAddress.parse(id));
        } catch (IllegalArgumentException notAMac) {
            String name;
            try {
                name = qualify(id);
            } catch (IllegalArgumentException e) {
                throw new NotFoundException("no node named " + id);
            }
            n = nodes.get(name);
        }
        return n.orElseThrow(() -> new NotFoundException("no node " + id));
    }

    /** A name without a dot is taken as a host in the admin network's domain. */
    private String qualify(String name) {
        String n = DomainName.normalize(name);
        if (n.indexOf('.') >= 0) {
            return n;
        }
        // Normalized again: the domain may make the name longer than 253 characters.
        return networks.get(adminNetwork)
                .map(net -> DomainName.normalize(n + "." + net.domain()))
                .orElse(n);
    }

    public NodeJson show(Node n) {
        return NodeJson.of(n, networkMap(), addressing, power.apply(n));
    }

    private Map<String, Network> networkMap() {
        return networks.list().stream().collect(Collectors.toMap(Network::name, Function.identity()));
    }

    private static List<MacAddress> macs(List<Violation> v, List<String> raw) {
        if (raw == null || raw.isEmpty()) {
            v.add(new Violation("macs", "at least one MAC address is required"));
            return List.of();
        }
        List<MacAddress> out = new ArrayList<>();
        Set<MacAddress> seen = new HashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            MacAddress m = field(v, "macs[" + i + "]", raw.get(i), MacAddress::parse);
            if (m != null && !seen.add(m)) {
                v.add(new Violation("macs[" + i + "]", m + " is listed twice"));
            } else if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    private static Optional<String> text(List<Violation> v, ObjectNode obj, String field) {
        if (!obj.has(field)) {
            return Optional.empty();
        }
        if (!obj.get(field).isTextual()) {
            v.add(new Violation(field, "must be a string"));
            return Optional.empty();
        }
        return Optional.of(obj.get(field).asText());
    }

    private static <T> T field(List<Violation> v, String field, String text, Function<String, T> parse) {
        if (text == null) {
            v.add(new Violation(field, "is required"));
            return null;
        }
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            v.add(new Violation(field, e.getMessage()));
            return null;
        }
    }
}
