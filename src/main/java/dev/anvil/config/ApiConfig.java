package dev.anvil.config;

/**
 * The admin listener: the REST API under {@code /api/v1} (and {@code GET /healthz}), bearer tokens required.
 * It never serves boot files or the node-facing routes; those are on the boot listener ({@link HttpConfig}).
 *
 * @param listen where the API listens ({@code 127.0.0.1:8080} by default: the admin node only)
 * @param tls HTTPS for the API when present ({@code api.tls})
 * @param limits timeouts, connection caps and size limits ({@code api.limits}; the body limit: 413 above it)
 * @param events the live change stream's caps ({@code api.events})
 */
public record ApiConfig(HostPort listen, java.util.Optional<TlsConfig> tls, HttpLimits limits, EventsConfig events) {
    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 8080);

    public ApiConfig withListen(HostPort l) {
        return new ApiConfig(l, tls, limits, events);
    }
}
