package dev.anvil.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.app.InstallTokens;
import dev.anvil.app.NodeService;
import dev.anvil.app.Provisioning;
import dev.anvil.core.node.HistoryEntry;
import dev.anvil.core.node.HostKey;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.timeline.Timeline;
import dev.anvil.core.timeline.TimelineEvent.Source;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The provisioning lifecycle over REST: registration by the discovery image ({@code POST /api/v1/discover}),
 * its plan poll, the actions ({@code POST /api/v1/nodes/{id}/actions/{install|redeploy|fail|reboot|power-off}}),
 * the install callback, and each node's history and inventory.
 *
 * <p>Size: over 300 lines: one short handler per route (and its boot timeline event), the lifecycle's whole REST
 * surface in one place.
 */
public final class LifecycleRoutes {
    private final Function<String, Node> find;
    private final NodeService nodes;
    private final Provisioning provisioning;
    private final InstallTokens tokens;
    private final Function<Node, Object> show;
    private final Json json;
    private final Tasks tasks;
    private final dev.anvil.app.AutoPolicy policy;
    private final NodeOrigin origin;
    private final DiscoveryGate gate;
    /** The boot timeline: registrations and the node's own callbacks. */
    private final Timeline timeline;

    static final int MAX_MACS = 64;

    /** What the task queue offers the API (reboot now, power off, list a node's tasks). */
    public interface Tasks {
        /** Restarts the node: through its BMC (next boot PXE once, cycle or on) when it has one, else over SSH. */
        Object reboot(Node node, String actor);

        /** Powers the node off through its BMC (409 without one). */
        Object powerOff(Node node, String actor);

        /** One task with its log; 404 when there is none. */
        Object get(long id);

        List<?> list(Optional<Node> node);
    }

    public LifecycleRoutes(
            Function<String, Node> find,
            NodeService nodes,
            Provisioning provisioning,
            InstallTokens tokens,
            Function<Node, Object> show,
            Json json,
            Tasks tasks,
            dev.anvil.app.AutoPolicy policy,
            NodeOrigin origin,
            DiscoveryGate gate,
            Timeline timeline) {
        this.timeline = timeline;
        this.policy = policy;
        this.origin = origin;
        this.gate = gate;
        this.find = find;
        this.nodes = nodes;
        this.provisioning = provisioning;
        this.tokens = tokens;
        this.show = show;
        this.json = json;
        this.tasks = tasks;
    }

    /** The node-facing calls, on the boot listener: registration, the plan poll, install and aliveness callbacks. */
    public void registerBoot(Router r) {
        r.add(HttpMethod.POST, "/api/v1/discover", this::discover);
        r.add(HttpMethod.GET, "/api/v1/nodes/{id}/plan", req -> plan(fromItself(req)));
        r.add(HttpMethod.POST, "/api/v1/nodes/{id}/installing", this::installing);
        r.add(HttpMethod.POST, "/api/v1/nodes/{id}/install-complete", this::installComplete);
        r.add(HttpMethod.POST, "/api/v1/nodes/{id}/alive", req -> {
            Node n = fromItself(req);
            JsonNode a = json.read(req.body(), JsonNode.class).path("alive");
            if (!a.isBoolean()) {
                throw ApiException.badRequest("body must be {\"alive\": true|false}", "alive");
            }
            timeline.forNode(n.id(), Source.LIFECYCLE, "alive callback", "alive=" + a.asBoolean() + from(req));
            return ApiResponse.ok(show.apply(provisioning.alive(
                    n,
                    a.asBoolean(),
                    "node",
                    a.asBoolean() ? "the node reported itself alive" : "the node reported itself going down")));
        });
    }

    /** The operator's side, on the admin API: plan, history, inventory, tasks, actions. */
    public void registerAdmin(Router r) {
        r.add(HttpMethod.GET, "/api/v1/nodes/{id}/plan", req -> plan(find.apply(req.param("id"))));
        r.add(
                HttpMethod.GET,
                "/api/v1/nodes/{id}/history",
                req -> ApiResponse.ok(nodes.history(find.apply(req.param("id"))).stream()
                        .map(LifecycleRoutes::history)
                        .toList()));
        r.add(HttpMethod.GET, "/api/v1/nodes/{id}/inventory", req -> {
            Node n = find.apply(req.param("id"));
            String inv = nodes.inventory(n)
                    .orElseThrow(() ->
                            new dev.anvil.core.NotFoundException("node " + n.name() + " has reported no inventory"));
            return ApiResponse.ok(json.read(inv.getBytes(java.nio.charset.StandardCharsets.UTF_8), JsonNode.class));
        });
        r.add(
                HttpMethod.GET,
                "/api/v1/nodes/{id}/tasks",
                req -> ApiResponse.ok(tasks.list(Optional.of(find.apply(req.param("id"))))));
        r.add(HttpMethod.GET, "/api/v1/tasks", req -> ApiResponse.ok(tasks.list(Optional.empty())));
        r.add(HttpMethod.GET, "/api/v1/tasks/{taskId}", req -> {
            long id;
            try {
                id = Long.parseLong(req.param("taskId"));
            } catch (NumberFormatException e) {
                throw new dev.anvil.core.NotFoundException("no task " + req.param("taskId"));
            }
            return ApiResponse.ok(tasks.get(id));
        });
        r.add(HttpMethod.POST, "/api/v1/nodes/{id}/actions/{action}", this::action);
    }

    /**
     * The node the request names when the request comes from that node (its reserved address or a live lease of
     * one of its MACs); otherwise the 404 of an unknown node, so a prober learns nothing.
     */
    private Node fromItself(ApiRequest req) {
        Node n = find.apply(req.param("id"));
        if (!origin.isFrom(n, req.remote().getAddress())) {
            throw new dev.anvil.core.NotFoundException("no node " + req.param("id"));
        }
        return n;
    }

    private ApiResponse plan(Node n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", n.name());
        m.put("state", n.state().wireName());
        m.put("bootEnv", n.bootEnv());
        m.put("action", Provisioning.plannedAction(n));
        return ApiResponse.ok(m);
    }

    private ApiResponse discover(ApiRequest req) {
        java.net.InetAddress source = req.remote().getAddress();
        gate.checkSource(source).ifPresent(r -> {
            throw retryLater(r);
        });
        JsonNode body = json.read(req.body(), JsonNode.class);
        Registering named = registering(body);
        MacAddress boot = named.boot();
        List<MacAddress> macs = named.macs();
        boolean known = nodes.findByMac(boot).isPresent()
                || macs.stream().anyMatch(m -> nodes.findByMac(m).isPresent());
        String inventory = new String(json.write(body), java.nio.charset.StandardCharsets.UTF_8);
        Provisioning.Registration reg;
        try {
            reg = gate.admit(source, boot, known, () -> provisioning.discover(boot, macs, inventory));
        } catch (DiscoveryGate.Refused r) {
            throw retryLater(r.refusal());
        }
        Node node = reg.node();
        timeline.forNode(
                node.id(),
                Source.DISCOVERY,
                reg.created() ? "registered" : "registered again",
                "boot mac=" + boot + ", " + macs.size() + " MACs"
                        + named.architecture().map(a -> ", " + a).orElse("")
                        + named.firmware().map(f -> " " + f).orElse("")
                        + from(req));
        if (node.state() == dev.anvil.core.node.NodeState.DISCOVERED) {
            Optional<String> os = policy.osFor(body);
            if (os.isPresent()) {
                node = provisioning.install(node.name(), os.get(), "auto-policy");
                timeline.forNode(node.id(), Source.DISCOVERY, "auto-install", "os=" + os.get());
            }
        }
        return new ApiResponse(
                reg.created() ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, registered(node, source));
    }

    /**
     * The node as the API shows it, plus, for a registration that came over IPv6 from a served /64, {@code ipv6}:
     * the node's derived address on that link with its prefix length ({@code fd00:…/64}), which the discovery image
     * takes for its later requests (they count as the node's own only from that address, {@link NodeOrigin}).
     */
    private Object registered(Node node, java.net.InetAddress source) {
        Object shown = show.apply(node);
        Optional<java.net.Inet6Address> own = origin.ipv6On(node, source);
        if (own.isEmpty()) {
            return shown;
        }
        com.fasterxml.jackson.databind.node.ObjectNode o = json.mapper().valueToTree(shown);
        o.put("ipv6", dev.anvil.core.net.Ipv6Prefix64.format(own.get()) + "/64");
        return o;
    }

    private static String from(ApiRequest req) {
        return ", from " + dev.anvil.core.net.ClientAddress.format(req.remote().getAddress());
    }

    /**
     * What a registration body names: the MAC the machine booted from, all its MACs, and, when the discovery image
     * reports them (images before 2026-12-07 do not), the machine's architecture ({@code uname -m}) and its firmware.
     */
    record Registering(
            MacAddress boot, List<MacAddress> macs, Optional<String> architecture, Optional<String> firmware) {}

    /**
     * An {@code architecture} as {@code uname -m} names one: {@code x86_64}, {@code aarch64}, {@code armv7l},
     * {@code i686}, {@code riscv64}, {@code ppc64le}, {@code s390x}, {@code loongarch64}...: lower case, digits and
     * {@code _}, 2 to 32 characters.
     */
    static final java.util.regex.Pattern ARCHITECTURE = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{1,31}");

    /** The firmware kinds the discovery image reports: {@code /sys/firmware/efi} present or not. */
    static final List<String> FIRMWARES = List.of("uefi", "bios");

    /** The checks on a registration body (an inventory object with {@code mac} and {@code macs}): 400s. */
    static Registering registering(JsonNode body) {
        if (!body.isObject()) {
            throw ApiException.badRequest("the inventory must be a JSON object", null);
        }
        MacAddress boot = mac(body.path("mac"), "mac");
        List<MacAddress> macs = new ArrayList<>();
        JsonNode list = body.path("macs");
        if (!list.isMissingNode() && !list.isArray()) {
            throw ApiException.badRequest("macs must be a list of MAC addresses", "macs");
        }
        if (list.size() > MAX_MACS) {
            throw ApiException.badRequest(
                    "macs lists " + list.size() + " MACs; a machine reports at most " + MAX_MACS, "macs");
        }
        for (int i = 0; i < list.size(); i++) {
            macs.add(mac(list.get(i), "macs[" + i + "]"));
        }
        return new Registering(boot, macs, architecture(body.path("architecture")), firmware(body.path("firmware")));
    }

    /** The optional {@code architecture} of a registration ({@link #ARCHITECTURE}); 400 when it is anything else. */
    static Optional<String> architecture(JsonNode v) {
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual() || !ARCHITECTURE.matcher(v.asText()).matches()) {
            throw ApiException.badRequest(
                    "architecture must be a machine name as uname -m prints it (x86_64, aarch64, ...: 2 to 32 "
                            + "lower-case letters, digits or _), not " + shown(v),
                    "architecture");
        }
        return Optional.of(v.asText());
    }

    /** The optional {@code firmware} of a registration, one of {@link #FIRMWARES}; 400 when it is anything else. */
    static Optional<String> firmware(JsonNode v) {
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual() || !FIRMWARES.contains(v.asText())) {
            throw ApiException.badRequest("firmware must be one of " + FIRMWARES + ", not " + shown(v), "firmware");
        }
        return Optional.of(v.asText());
    }

    /** A rejected value for an error message: its JSON, cut at 40 characters. */
    private static String shown(JsonNode v) {
        String t = v.toString();
        return t.length() <= 40 ? t : t.substring(0, 40) + "...";
    }

    private static ApiException retryLater(DiscoveryGate.Refusal r) {
        return new ApiException.RetryLater(HttpResponseStatus.valueOf(r.status()), r.reason(), r.retryAfterSeconds());
    }

    private static MacAddress mac(JsonNode v, String field) {
        if (!v.isTextual()) {
            throw ApiException.badRequest(field + " must be a MAC address such as 52:54:00:12:34:56", field);
        }
        try {
            return MacAddress.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field + ": \"" + v.asText() + "\" is not a MAC address", field);
        }
    }

    private ApiResponse action(ApiRequest req) {
        Node n = find.apply(req.param("id"));
        String actor = req.actor();
        JsonNode body =
                req.body().length == 0 ? json.mapper().createObjectNode() : json.read(req.body(), JsonNode.class);
        return switch (req.param("action")) {
            case "install" -> {
                JsonNode os = body.path("os");
                if (!os.isTextual()) {
                    throw ApiException.badRequest("install needs {\"os\": \"<os name>\"}", "os");
                }
                yield ApiResponse.ok(show.apply(provisioning.install(n.name(), os.asText(), actor)));
            }
            case "redeploy" -> ApiResponse.ok(show.apply(provisioning.redeploy(n.name(), actor)));
            case "fail" ->
                ApiResponse.ok(show.apply(provisioning.fail(
                        n.name(),
                        actor,
                        body.path("reason").isTextual()
                                ? body.path("reason").asText()
                                : "marked failed by an operator")));
            case "reboot" -> new ApiResponse(HttpResponseStatus.ACCEPTED, tasks.reboot(n, actor));
            case "power-off" -> new ApiResponse(HttpResponseStatus.ACCEPTED, tasks.powerOff(n, actor));
            default ->
                throw new ApiException(
                        HttpResponseStatus.NOT_FOUND,
                        "no action \"" + req.param("action") + "\" (install, redeploy, fail, reboot, power-off)",
                        "action");
        };
    }

    /** The installer is running (its first step reports it): install-pending becomes installing. */
    private ApiResponse installing(ApiRequest req) {
        Node n = find.apply(req.param("id"));
        checkToken(n, json.read(req.body(), JsonNode.class));
        timeline.forNode(n.id(), Source.LIFECYCLE, "installing callback", "the installer started" + from(req));
        return ApiResponse.ok(show.apply(provisioning.installerStarted(n)));
    }

    /** The token the body carries, when it is the node's live one; 400 without one, 403 for a wrong one. */
    private String checkToken(Node n, JsonNode body) {
        JsonNode t = body.path("token");
        if (!t.isTextual()) {
            throw ApiException.badRequest("body must be {\"token\": \"...\"}", "token");
        }
        if (!tokens.matches(n, t.asText())) {
            timeline.forNode(n.id(), Source.LIFECYCLE, "callback refused", "install token wrong, used or expired");
            throw ApiException.forbidden("install token for " + n.name() + " is wrong, used or expired");
        }
        return t.asText();
    }

    /**
     * The token is the only credential: wrong, reused or expired gets 403 and nothing changes. The optional
     * {@code hostKeys} (OpenSSH public key lines of the installed system) are pinned with the step.
     */
    private ApiResponse installComplete(ApiRequest req) {
        Node n = find.apply(req.param("id"));
        JsonNode body = json.read(req.body(), JsonNode.class);
        if (!body.path("token").isTextual()) {
            throw ApiException.badRequest("body must be {\"token\": \"...\"}", "token");
        }
        List<HostKey> hostKeys = hostKeys(body.path("hostKeys"));
        String token = checkToken(n, body);
        provisioning.installComplete(n.name(), hostKeys, locked -> tokens.consume(locked, token), () -> {
            throw ApiException.forbidden("install token for " + n.name() + " is wrong, used or expired");
        });
        timeline.forNode(
                n.id(), Source.LIFECYCLE, "install-complete callback", hostKeys.size() + " host keys" + from(req));
        return ApiResponse.noContent();
    }

    /** Absent or null: none. Otherwise a list of at most 8 OpenSSH public key lines of known types. */
    static List<HostKey> hostKeys(JsonNode list) {
        if (list.isMissingNode() || list.isNull()) {
            return List.of();
        }
        if (!list.isArray() || list.size() > HostKey.MAX_KEYS) {
            throw ApiException.badRequest(
                    "hostKeys must be a list of at most " + HostKey.MAX_KEYS
                            + " OpenSSH public key lines (\"ssh-ed25519 AAAA... comment\")",
                    "hostKeys");
        }
        List<HostKey> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String field = "hostKeys[" + i + "]";
            if (!list.get(i).isTextual()) {
                throw ApiException.badRequest(field + " must be an OpenSSH public key line", field);
            }
            try {
                HostKey k = HostKey.parse(list.get(i).asText());
                if (out.contains(k)) {
                    throw new IllegalArgumentException("the same key as an earlier one");
                }
                out.add(k);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(field + ": " + e.getMessage(), field);
            }
        }
        return out;
    }

    static Map<String, Object> history(HistoryEntry h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", h.at().toString());
        m.put("from", h.from().map(s -> s.wireName()).orElse(null));
        m.put("to", h.to().wireName());
        m.put("event", h.event());
        m.put("actor", h.actor());
        m.put("reason", h.reason().orElse(null));
        return m;
    }
}
