package dev.anvil.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The web dashboard's files on the admin listener (doc/dashboard.md): {@code GET /} and the three under
 * {@code /ui/}, read from the jar once. They hold no data, so {@link BearerAccess} lets exactly these paths
 * through without a token; the page asks for a token and reads everything else through the API with it.
 * Every file goes out with a strict Content-Security-Policy (scripts and styles from this origin only, no inline
 * script, nothing from elsewhere, no framing).
 */
public final class DashboardRoutes {
    /** The paths served without a token (GET and HEAD). */
    static final Set<String> PATHS = Set.of("/", "/ui/app.js", "/ui/style.css", "/ui/favicon.svg");

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private static final String RESOURCES = "/anvil/ui/";
    private final Map<String, ApiResponse.Page> files = new LinkedHashMap<>();

    /** Reads the files from the classpath; a missing one is a broken build and fails here. */
    public DashboardRoutes() {
        files.put("/", load("index.html", "text/html; charset=utf-8"));
        files.put("/ui/app.js", load("app.js", "text/javascript; charset=utf-8"));
        files.put("/ui/style.css", load("style.css", "text/css; charset=utf-8"));
        files.put("/ui/favicon.svg", load("favicon.svg", "image/svg+xml"));
        if (!files.keySet().equals(PATHS)) {
            throw new IllegalStateException("dashboard files " + files.keySet() + " are not " + PATHS);
        }
    }

    public void register(Router r) {
        files.forEach((path, page) -> r.add(HttpMethod.GET, path, req -> new ApiResponse(HttpResponseStatus.OK, page)));
    }

    /** The headers every dashboard file carries. */
    static void secure(HttpHeaders h) {
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    }

    private static ApiResponse.Page load(String name, String contentType) {
        try (InputStream in = DashboardRoutes.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard file " + RESOURCES + name + " is missing from the jar");
            }
            return new ApiResponse.Page(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
