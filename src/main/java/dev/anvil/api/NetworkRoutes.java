package dev.anvil.api;

import dev.anvil.core.ConflictException;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Network;
import dev.anvil.store.NetworkStore;
import io.netty.handler.codec.http.HttpMethod;

/** {@code /api/v1/networks}: list, get, create, delete (a network in use, or the admin network, is kept: 409). */
public final class NetworkRoutes {
    private final NetworkStore networks;
    private final Addressing addressing;
    private final String adminNetwork;
    private final Json json;
    private final Runnable onChange;

    /** {@code onChange} runs after every committed create or delete (the packet paths re-read the networks). */
    public NetworkRoutes(
            NetworkStore networks, Addressing addressing, String adminNetwork, Json json, Runnable onChange) {
        this.networks = networks;
        this.addressing = addressing;
        this.adminNetwork = adminNetwork;
        this.json = json;
        this.onChange = onChange;
    }

    public void register(Router r) {
        r.add(
                HttpMethod.GET,
                "/api/v1/networks",
                req -> ApiResponse.ok(networks.list().stream()
                        .map(n -> NetworkJson.of(n, addressing))
                        .toList()));
        r.add(HttpMethod.POST, "/api/v1/networks", req -> {
            Network n = json.read(req.body(), NetworkJson.class).toDraft().validate();
            networks.create(n);
            onChange.run();
            return ApiResponse.created(NetworkJson.of(n, addressing));
        });
        r.add(
                HttpMethod.GET,
                "/api/v1/networks/{name}",
                req -> ApiResponse.ok(NetworkJson.of(
                        networks.get(req.param("name"))
                                .orElseThrow(() -> new NotFoundException("no network named " + req.param("name"))),
                        addressing)));
        r.add(HttpMethod.DELETE, "/api/v1/networks/{name}", req -> {
            if (req.param("name").equals(adminNetwork)) {
                throw new ConflictException("name", "the admin network " + adminNetwork + " cannot be deleted");
            }
            networks.delete(req.param("name"));
            onChange.run();
            return ApiResponse.noContent();
        });
    }
}
