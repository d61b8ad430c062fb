package dev.anvil.api;

import dev.anvil.core.lease.Lease;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** {@code GET /api/v1/leases}: the DHCP leases, by address. */
public final class LeaseRoutes {
    private final Supplier<List<Lease>> leases;

    public LeaseRoutes(Supplier<List<Lease>> leases) {
        this.leases = leases;
    }

    public record LeaseJson(String ip, String mac, String network, String expires, String state) {}

    public void register(Router r) {
        r.add(
                HttpMethod.GET,
                "/api/v1/leases",
                req -> ApiResponse.ok(leases.get().stream()
                        .sorted(Comparator.comparing(Lease::ip))
                        .map(l -> new LeaseJson(
                                l.ip().toString(),
                                l.mac().toString(),
                                l.network(),
                                l.expires().toString(),
                                l.state().name().toLowerCase(Locale.ROOT)))
                        .toList()));
    }
}
