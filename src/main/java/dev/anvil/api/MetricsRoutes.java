package dev.anvil.api;

import io.netty.handler.codec.http.HttpMethod;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} on the admin listener: the Prometheus text format (doc/monitoring.md), behind the bearer
 * token like every admin route (a read-only token is enough).
 */
public final class MetricsRoutes {
    private final Supplier<String> scrape;
    private final String contentType;

    /** {@code scrape}: the whole exposition in {@code contentType}. */
    public MetricsRoutes(Supplier<String> scrape, String contentType) {
        this.scrape = scrape;
        this.contentType = contentType;
    }

    public void register(Router r) {
        r.add(HttpMethod.GET, "/metrics", req -> ApiResponse.text(scrape.get(), contentType));
    }
}
