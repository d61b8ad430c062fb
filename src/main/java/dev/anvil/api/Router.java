package dev.anvil.api;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Matches a method and path against routes such as {@code /api/v1/nodes/{name}}; 404 and 405 otherwise. */
public final class Router {

    @FunctionalInterface
    public interface Route {
        ApiResponse handle(ApiRequest request);
    }

    private record Entry(HttpMethod method, String[] segments, Route route) {}

    /** A matched route with the parameters taken from the path. */
    public record Match(Route route, Map<String, String> params) {}

    private final List<Entry> entries = new ArrayList<>();

    public Router add(HttpMethod method, String pattern, Route route) {
        entries.add(new Entry(method, split(pattern), route));
        return this;
    }

    /** The first path segment of every route ({@code "api"} for {@code /api/v1/...}). */
    public Set<String> firstSegments() {
        Set<String> out = new LinkedHashSet<>();
        for (Entry e : entries) {
            out.add(e.segments.length == 0 ? "" : e.segments[0]);
        }
        return out;
    }

    /** The route for the request, or an {@link ApiException} with 404 or 405 (naming the allowed methods). */
    public Match match(HttpMethod method, String path) {
        String[] segs = split(path);
        Set<String> allowed = new LinkedHashSet<>();
        for (Entry e : entries) {
            Optional<Map<String, String>> params = bind(e.segments, segs);
            if (params.isEmpty()) {
                continue;
            }
            if (e.method.equals(method) || (method.equals(HttpMethod.HEAD) && e.method.equals(HttpMethod.GET))) {
                return new Match(e.route, params.get());
            }
            allowed.add(e.method.name());
        }
        if (!allowed.isEmpty()) {
            throw new MethodNotAllowed(method, allowed);
        }
        throw new ApiException(HttpResponseStatus.NOT_FOUND, "no such resource: " + path, null);
    }

    private static Optional<Map<String, String>> bind(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                params.put(p.substring(1, p.length() - 1), path[i]);
            } else if (!p.equals(path[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    /** 405 with the methods the path does allow. */
    public static final class MethodNotAllowed extends ApiException {
        private final Set<String> allowed;

        MethodNotAllowed(HttpMethod method, Set<String> allowed) {
            super(
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "method " + method + " is not allowed here (allowed: " + String.join(", ", allowed) + ")",
                    null);
            this.allowed = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(allowed));
        }

        public Set<String> allowed() {
            return allowed;
        }
    }
}
