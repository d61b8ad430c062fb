package dev.anvil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code http.limits} and {@code api.limits}: defaults, overrides, the older {@code maxRequestBytes}, nonsense. */
class HttpLimitsConfigTest {
    private static final String NETWORKS = """
      networks:
        - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test,
           serverAddress: 10.0.0.1}
      """;
    private final ConfigLoader loader = new ConfigLoader();

    private AnvilConfig parse(String yaml) {
        return loader.parse(yaml + NETWORKS, "test");
    }

    private List<String> problems(String yaml) {
        return assertThrows(InvalidInputException.class, () -> parse(yaml)).violations().stream()
                .map(Violation::toString)
                .toList();
    }

    @Test
    void defaultsForBothListeners() {
        AnvilConfig c = parse("");
        assertEquals(HttpLimits.BOOT, c.http().limits());
        assertEquals(HttpLimits.API, c.api().limits());
        HttpLimits b = c.http().limits();
        assertEquals(Duration.ofSeconds(60), b.idleTimeout());
        assertEquals(Duration.ofSeconds(10), b.headerTimeout());
        assertEquals(Duration.ofSeconds(60), b.bodyTimeout());
        assertEquals(Duration.ofSeconds(60), b.sendTimeout());
        assertEquals(4096, b.maxConnections());
        assertEquals(1024, c.api().limits().maxConnections());
        assertEquals(64, b.maxConnectionsPerClient());
        assertEquals(8192, b.maxRequestLineBytes());
        assertEquals(16384, b.maxHeaderBytes());
        assertEquals(1 << 20, b.maxBodyBytes());
    }

    @Test
    void everyLimitCanBeSet() {
        AnvilConfig c = parse("""
        http:
          limits: {idleTimeoutSeconds: 5, headerTimeoutSeconds: 2, bodyTimeoutSeconds: 3, sendTimeoutSeconds: 4,
                   maxConnections: 100, maxConnectionsPerClient: 10, maxRequestLineBytes: 1024, maxHeaderBytes: 2048,
                   maxBodyBytes: 4096}
        api:
          limits: {maxBodyBytes: 2048, maxConnections: 8}
        """);
        assertEquals(
                new HttpLimits(
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(4),
                        100,
                        10,
                        1024,
                        2048,
                        4096),
                c.http().limits());
        assertEquals(2048, c.api().limits().maxBodyBytes());
        assertEquals(8, c.api().limits().maxConnections());
        // the per-client default never exceeds a smaller overall cap
        assertEquals(8, c.api().limits().maxConnectionsPerClient());
    }

    @Test
    void maxRequestBytesIsTheOlderSpellingOfMaxBodyBytes() {
        assertEquals(
                4096, parse("api: {maxRequestBytes: 4096}\n").api().limits().maxBodyBytes());
        assertEquals(
                8192, parse("http: {maxRequestBytes: 8192}\n").http().limits().maxBodyBytes());
        assertEquals(
                List.of("api.maxRequestBytes: is the older spelling of limits.maxBodyBytes; give only "
                        + "limits.maxBodyBytes"),
                problems("api: {maxRequestBytes: 4096, limits: {maxBodyBytes: 4096}}\n"));
    }

    @Test
    void nonsenseIsRefusedNamingTheField() {
        List<String> p = problems("""
        http:
          limits: {idleTimeoutSeconds: 0, headerTimeoutSeconds: -1, bodyTimeoutSeconds: 86400, sendTimeoutSeconds: 0,
                   maxConnections: 0, maxRequestLineBytes: 10, maxHeaderBytes: 100000000, maxBodyBytes: 1}
        api:
          limits: {maxConnections: 10, maxConnectionsPerClient: 11}
        """);
        assertEquals(
                List.of(
                        "api.limits.maxConnectionsPerClient: 11 is outside 1..maxConnections (10)",
                        "http.limits.idleTimeoutSeconds: 0 is outside 1..3600",
                        "http.limits.headerTimeoutSeconds: -1 is outside 1..3600",
                        "http.limits.bodyTimeoutSeconds: 86400 is outside 1..3600",
                        "http.limits.sendTimeoutSeconds: 0 is outside 1..3600",
                        "http.limits.maxConnections: 0 is outside 1..1000000",
                        "http.limits.maxRequestLineBytes: 10 is outside 256..65536",
                        "http.limits.maxHeaderBytes: 100000000 is outside 1024..1048576",
                        "http.limits.maxBodyBytes: 1 is outside 1024..67108864"),
                p);
    }

    @Test
    void unknownAndMistypedFields() {
        assertEquals(
                List.of("http.limits.idleTimeout: unknown field"), problems("http: {limits: {idleTimeout: 60s}}\n"));
        List<String> p = problems("api: {limits: {maxConnections: lots}}\n");
        assertEquals(1, p.size(), p.toString());
        assertEquals(true, p.get(0).startsWith("api.limits.maxConnections: has the wrong type"), p.toString());
    }
}
