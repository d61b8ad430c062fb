package dev.anvil.api;

import dev.anvil.auth.ApiTokens;
import dev.anvil.core.auth.ApiToken;
import dev.anvil.core.auth.Role;
import dev.anvil.http.Responses;
import dev.anvil.lifecycle.Meters;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin API's gate: {@code Authorization: Bearer <token>} on every request but {@code GET /healthz} and the
 * dashboard's files ({@link DashboardRoutes#PATHS}, which hold no data): 401 with {@code WWW-Authenticate:
 * Bearer} without a valid one; a read-only token gets 403 on anything but GET and HEAD, and on the token routes;
 * a request that changes something must say {@code Content-Type: application/json} (415 otherwise), so no HTML
 * form or other "simple" cross-site request can reach a route.
 */
public final class BearerAccess implements Access, io.micrometer.core.instrument.binder.MeterBinder {
    static final String HEALTH = "/healthz";
    static final String TOKENS = "/api/v1/tokens";
    private static final String REALM = "Bearer realm=\"anvil\"";

    private final ApiTokens tokens;
    private final AtomicLong unauthorized = new AtomicLong();
    private final AtomicLong forbidden = new AtomicLong();

    public BearerAccess(ApiTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public Decision check(FullHttpRequest req) {
        String path = pathOf(req.uri());
        if ((path.equals(HEALTH) || DashboardRoutes.PATHS.contains(path))
                && (req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD))) {
            return new Allowed("anonymous");
        }
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null) {
            return unauthorized(REALM, "this API needs a bearer token (Authorization: Bearer <token>)");
        }
        Optional<ApiToken> token = auth.regionMatches(true, 0, "Bearer ", 0, 7)
                ? tokens.authenticate(auth.substring(7).trim())
                : Optional.empty();
        if (token.isEmpty()) {
            return unauthorized(REALM + ", error=\"invalid_token\"", "the bearer token is unknown or revoked");
        }
        ApiToken t = token.get();
        boolean reads = req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD);
        boolean tokenRoute = path.equals(TOKENS) || path.startsWith(TOKENS + "/");
        if (t.role() != Role.ADMIN && (!reads || tokenRoute)) {
            forbidden.incrementAndGet();
            return new Refused(Responses.error(
                    HttpResponseStatus.FORBIDDEN,
                    "token \"" + t.name() + "\" is " + t.role().wireName() + ": "
                            + (tokenRoute ? "tokens need an admin token" : "it may only read"),
                    null));
        }
        if (!reads && !req.method().equals(HttpMethod.DELETE) && !isJson(req)) {
            return new Refused(Responses.error(
                    HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                    "send the request body as Content-Type: application/json",
                    null));
        }
        return new Allowed("token:" + t.name());
    }

    /** Refusals so far, for the status page. */
    public Map<String, Object> metrics() {
        Map<String, Object> m = new java.util.LinkedHashMap<>(); // in this order, in every run (Map.of is not)
        m.put("unauthorized", unauthorized.get());
        m.put("forbidden", forbidden.get());
        return m;
    }

    /** The refusals as {@code anvil_api_refused_total{reason="unauthorized|forbidden"}}. */
    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry r) {
        String help = "admin API requests refused, by reason (401: no or a bad token; 403: the token's role)";
        Meters.count(r, "anvil.api.refused", help, unauthorized, AtomicLong::get, "reason", "unauthorized");
        Meters.count(r, "anvil.api.refused", help, forbidden, AtomicLong::get, "reason", "forbidden");
    }

    private Decision unauthorized(String challenge, String message) {
        unauthorized.incrementAndGet();
        FullHttpResponse r = Responses.error(HttpResponseStatus.UNAUTHORIZED, message, null);
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
        return new Refused(r);
    }

    private static boolean isJson(FullHttpRequest req) {
        String ct = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (ct == null) {
            return false;
        }
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi))
                .trim()
                .toLowerCase(Locale.ROOT)
                .equals("application/json");
    }

    private static String pathOf(String uri) {
        int q = uri.indexOf('?');
        String p = q < 0 ? uri : uri.substring(0, q);
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
