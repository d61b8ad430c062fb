package dev.anvil.api;

import dev.anvil.core.NotFoundException;
import dev.anvil.core.boot.BootEnvironments;
import io.netty.handler.codec.http.HttpMethod;

/** {@code /api/v1/bootenvs}: list and get. */
public final class BootEnvRoutes {
    private final BootEnvironments envs;

    public BootEnvRoutes(BootEnvironments envs) {
        this.envs = envs;
    }

    public void register(Router r) {
        r.add(
                HttpMethod.GET,
                "/api/v1/bootenvs",
                req -> ApiResponse.ok(envs.all().stream().map(BootEnvJson::of).toList()));
        r.add(
                HttpMethod.GET,
                "/api/v1/bootenvs/{name}",
                req -> ApiResponse.ok(BootEnvJson.of(envs.get(req.param("name"))
                        .orElseThrow(() -> new NotFoundException("no boot environment named " + req.param("name"))))));
    }
}
