package dev.anvil.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.auth.ApiTokens;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.auth.ApiToken;
import dev.anvil.core.auth.Role;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /api/v1/tokens}: list (never a secret), create ({@code {"name": ..., "role": "admin"|"read-only"}}; the
 * answer carries the secret, the only time it is shown) and revoke. Admin tokens only ({@link BearerAccess}).
 */
public final class TokenRoutes {
    private final ApiTokens tokens;
    private final Json json;

    public TokenRoutes(ApiTokens tokens, Json json) {
        this.tokens = tokens;
        this.json = json;
    }

    public void register(Router r) {
        r.add(
                HttpMethod.GET,
                BearerAccess.TOKENS,
                req -> ApiResponse.ok(
                        tokens.list().stream().map(TokenRoutes::show).toList()));
        r.add(HttpMethod.POST, BearerAccess.TOKENS, req -> {
            JsonNode body = json.read(req.body(), JsonNode.class);
            if (!body.isObject()) {
                throw ApiException.badRequest(
                        "body must be {\"name\": \"...\", \"role\": \"admin\" or \"read-only\"}", null);
            }
            JsonNode name = body.path("name");
            if (!name.isTextual()) {
                throw ApiException.badRequest("name is required: the token's name, e.g. \"grafana\"", "name");
            }
            JsonNode role = body.path("role");
            Role parsed = role.isMissingNode()
                    ? Role.READ_ONLY
                    : Role.parse(role.asText(""))
                            .orElseThrow(() -> ApiException.badRequest(
                                    "role must be one of "
                                            + Arrays.stream(Role.values())
                                                    .map(Role::wireName)
                                                    .toList(),
                                    "role"));
            body.fieldNames().forEachRemaining(f -> {
                if (!f.equals("name") && !f.equals("role")) {
                    throw ApiException.badRequest("unknown field " + f + " (known: name, role)", f);
                }
            });
            ApiTokens.Issued issued = tokens.create(name.asText(), parsed);
            Map<String, Object> out = show(issued.token());
            out.put("token", issued.secret());
            return new ApiResponse(HttpResponseStatus.CREATED, out);
        });
        r.add(HttpMethod.DELETE, BearerAccess.TOKENS + "/{id}", req -> {
            try {
                tokens.revoke(Long.parseLong(req.param("id")));
            } catch (NumberFormatException e) {
                throw new NotFoundException("no token " + req.param("id"));
            }
            return ApiResponse.noContent();
        });
    }

    static Map<String, Object> show(ApiToken t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("name", t.name());
        m.put("role", t.role().wireName());
        m.put("createdAt", t.createdAt().toString());
        return m;
    }
}
