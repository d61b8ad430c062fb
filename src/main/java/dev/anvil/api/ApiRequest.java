package dev.anvil.api;

import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A decoded API request: method, path parameters from the route, query parameters, body bytes, the client's
 * socket address, the address it reached ({@code local}: the connection's own end, null when unknown) and who is
 * asking ({@code token:<name>} on the admin API, {@code node} on the boot listener).
 */
public record ApiRequest(
        HttpMethod method,
        String path,
        Map<String, String> pathParams,
        Map<String, List<String>> query,
        byte[] body,
        InetSocketAddress remote,
        InetSocketAddress local,
        String actor) {

    public String param(String name) {
        return pathParams.get(name);
    }

    public Optional<String> queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }
}
