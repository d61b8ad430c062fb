package dev.anvil.api;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.NotFoundException;
import dev.anvil.http.RequestHandler;
import dev.anvil.http.Responses;
import dev.anvil.http.StreamResponse;
import dev.anvil.store.StoreException;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs API routes and maps every outcome to a status and a JSON body; never a stack trace to the client. */
public final class ApiHandler implements RequestHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    private final Router router;
    private final Json json;
    private final Access access;

    /** {@code access}: who may ask at all, checked before the request is routed. */
    public ApiHandler(Router router, Json json, Access access) {
        this.router = router;
        this.json = json;
        this.access = access;
    }

    @Override
    public FullHttpResponse handle(FullHttpRequest req, java.net.InetSocketAddress remote) {
        return handle(req, remote, null);
    }

    @Override
    public FullHttpResponse handle(
            FullHttpRequest req, java.net.InetSocketAddress remote, java.net.InetSocketAddress local) {
        Access.Decision d;
        try {
            d = access.check(req);
        } catch (StoreException e) {
            // API tokens live in the store: while it is unreachable no request can be authenticated (doc/scale-out.md)
            log.warn("store failure checking the token of {} {}: {}", req.method(), req.uri(), e.getMessage());
            return Responses.error(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "the store is unavailable (the token cannot be checked)",
                    null);
        }
        if (d instanceof Access.Refused refused) {
            return refused.response();
        }
        String actor = ((Access.Allowed) d).actor();
        QueryStringDecoder uri;
        try {
            uri = new QueryStringDecoder(req.uri());
            uri.path();
        } catch (IllegalArgumentException e) {
            return Responses.error(HttpResponseStatus.BAD_REQUEST, "malformed request URI", null);
        }
        try {
            Router.Match m = router.match(req.method(), uri.path());
            ApiResponse r = m.route()
                    .handle(new ApiRequest(
                            req.method(),
                            uri.path(),
                            m.params(),
                            uri.parameters(),
                            ByteBufUtil.getBytes(req.content()),
                            remote,
                            local,
                            actor));
            if (r.body() == null) {
                return Responses.empty(r.status());
            }
            if (r.body() instanceof StreamResponse stream) {
                return stream;
            }
            if (r.body() instanceof ApiResponse.Page page) {
                FullHttpResponse resp = Responses.bytes(r.status(), page.bytes(), page.contentType());
                DashboardRoutes.secure(resp.headers());
                return resp;
            }
            if (r.body() instanceof ApiResponse.Raw raw) {
                FullHttpResponse resp = Responses.bytes(r.status(), raw.bytes(), raw.contentType());
                resp.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                return resp;
            }
            FullHttpResponse resp =
                    Responses.bytes(r.status(), json.write(r.body()), HttpHeaderValues.APPLICATION_JSON);
            if (r.location() != null) {
                resp.headers().set(HttpHeaderNames.LOCATION, r.location());
            }
            return resp;
        } catch (Router.MethodNotAllowed e) {
            FullHttpResponse resp = Responses.error(e.status(), e.getMessage(), null);
            resp.headers().set(HttpHeaderNames.ALLOW, String.join(", ", e.allowed()));
            return resp;
        } catch (ApiException.RetryLater e) {
            FullHttpResponse resp = Responses.error(e.status(), e.getMessage(), null);
            resp.headers().set(HttpHeaderNames.RETRY_AFTER, e.seconds());
            return resp;
        } catch (ApiException e) {
            return Responses.error(e.status(), e.getMessage(), e.field());

        } catch (InvalidInputException e) {
            return Responses.error(
                    HttpResponseStatus.BAD_REQUEST,
                    e.first().message(),
                    e.first().field());
        } catch (NotFoundException e) {
            return Responses.error(HttpResponseStatus.NOT_FOUND, e.getMessage(), null);
        } catch (ConflictException e) {
            return Responses.error(HttpResponseStatus.CONFLICT, e.getMessage(), e.field());
        } catch (StoreException e) {
            log.error("store failure on {} {}", req.method(), req.uri(), e);
            return Responses.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the store is unavailable", null);
        }
    }
}
