package dev.anvil.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.app.PowerControl;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.node.Node;
import dev.anvil.core.power.BmcDraft;
import dev.anvil.core.power.BootDevice;
import dev.anvil.core.power.PowerAction;
import dev.anvil.core.power.PowerException;
import dev.anvil.core.power.PowerResult;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code /api/v1/nodes/{id}/bmc} (PUT, GET, DELETE: the node's BMC; the password is accepted, never answered) and
 * {@code POST /api/v1/nodes/{id}/power/{action}} ({@code on}, {@code off}, {@code soft-off}, {@code cycle},
 * {@code status}): the power state after the action, or 502 with the BMC error's {@code kind} (503 when every
 * power slot is busy); {@code PUT /api/v1/nodes/{id}/bmc/next-boot} ({@code {"device":"pxe|disk","once":true}}):
 * the device the machine boots from next, through its BMC. Writes and power actions need the admin role, like
 * every non-GET route.
 */
public final class PowerRoutes {
    private final Function<String, Node> find;
    private final PowerControl power;
    private final Json json;
    private final Function<Node, Optional<String>> inventory;

    /** {@code inventory}: the node's inventory JSON as the discovery image reported it (its {@code bmc} part). */
    public PowerRoutes(
            Function<String, Node> find, PowerControl power, Json json, Function<Node, Optional<String>> inventory) {
        this.inventory = inventory;
        this.find = find;
        this.power = power;
        this.json = json;
    }

    public void register(Router r) {
        r.add(HttpMethod.GET, "/api/v1/nodes/{id}/bmc", req -> {
            Node n = find.apply(req.param("id"));
            return ApiResponse.ok(BmcJson.of(
                    n.name(),
                    power.bmc(n).orElseThrow(() -> new NotFoundException("node " + n.name() + " has no BMC"))));
        });
        r.add(HttpMethod.PUT, "/api/v1/nodes/{id}/bmc", req -> {
            Node n = find.apply(req.param("id"));
            BmcDraft draft = json.read(req.body(), BmcDraft.class);
            if (draft.address() == null) {
                draft = withReportedAddress(n, draft);
            }
            return ApiResponse.ok(BmcJson.of(n.name(), power.setBmc(n, draft)));
        });
        r.add(HttpMethod.DELETE, "/api/v1/nodes/{id}/bmc", req -> {
            power.removeBmc(find.apply(req.param("id")));
            return ApiResponse.noContent();
        });
        r.add(HttpMethod.POST, "/api/v1/nodes/{id}/power/{action}", this::act);
        r.add(HttpMethod.PUT, "/api/v1/nodes/{id}/bmc/next-boot", this::nextBoot);
    }

    /** The body of {@code PUT .../bmc/next-boot}: {@code once} defaults to true. */
    record NextBoot(String device, Boolean once) {}

    private ApiResponse nextBoot(ApiRequest req) {
        NextBoot nb = json.read(req.body(), NextBoot.class);
        BootDevice device;
        if ("pxe".equals(nb.device())) {
            device = BootDevice.PXE;
        } else if ("disk".equals(nb.device())) {
            device = BootDevice.DISK;
        } else {
            throw ApiException.badRequest("device: one of pxe, disk", "device");
        }
        boolean once = nb.once() == null || nb.once();
        Node n = find.apply(req.param("id"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", n.name());
        body.put("device", nb.device());
        body.put("once", once);
        try {
            PowerResult r = power.nextBoot(n, device, once);
            body.put("state", r.state().wireName());
            body.put("tookMs", r.took().toMillis());
            return ApiResponse.ok(body);
        } catch (PowerException e) {
            return failed(body, e);
        }
    }

    /**
     * Adoption (doc/power.md#discovery-fills-the-bmc-in): a {@code PUT} without {@code address} takes the BMC address
     * the discovery image reported in the node's inventory ({@code bmc.ip}, from {@code ipmitool lan print}).
     */
    private BmcDraft withReportedAddress(Node n, BmcDraft d) {
        String ip = inventory
                .apply(n)
                .map(inv -> json.read(inv.getBytes(java.nio.charset.StandardCharsets.UTF_8), JsonNode.class))
                .map(inv -> inv.path("bmc").path("ip").asText(""))
                .orElse("");
        if (ip.isEmpty() || ip.equals("0.0.0.0")) {
            throw new InvalidInputException(
                    "address", "required: the inventory of node " + n.name() + " reports no BMC address");
        }
        return d.withAddress(ip);
    }

    private ApiResponse act(ApiRequest req) {
        String a = req.param("action");
        PowerAction action = PowerAction.parse(a)
                .orElseThrow(() -> ApiException.badRequest(
                        "unknown power action \"" + a + "\" (one of "
                                + Arrays.stream(PowerAction.values())
                                        .map(PowerAction::wireName)
                                        .toList() + ")",
                        "action"));
        Node n = find.apply(req.param("id"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", n.name());
        body.put("action", action.wireName());
        try {
            PowerResult r = power.act(n, action);
            body.put("state", r.state().wireName());
            body.put("tookMs", r.took().toMillis());
            return ApiResponse.ok(body);
        } catch (PowerException e) {
            return failed(body, e);
        }
    }

    /** 502 with the BMC error's kind; 503 when every power slot is busy. */
    private static ApiResponse failed(Map<String, Object> body, PowerException e) {
        body.put("error", e.getMessage());
        body.put("kind", e.kind().wireName());
        return new ApiResponse(
                e.kind() == PowerException.Kind.BUSY
                        ? HttpResponseStatus.SERVICE_UNAVAILABLE
                        : HttpResponseStatus.BAD_GATEWAY,
                body);
    }
}
