package dev.anvil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code store:} section, bound from YAML as ConfigLoader binds it. */
class StoreConfigTest {
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private StoreConfig parse(String text) throws Exception {
        return yaml.readValue(text, StoreDraft.class).validate();
    }

    private List<String> problems(String text) throws Exception {
        StoreDraft d = yaml.readValue(text, StoreDraft.class);
        return assertThrows(InvalidInputException.class, d::validate).under("store").violations().stream()
                .map(Violation::toString)
                .toList();
    }

    @Test
    void h2IsTheDefault() throws Exception {
        assertEquals(new StoreConfig.H2(), parse("{}"));
        assertEquals(new StoreConfig.H2(), parse("{kind: h2}"));
        assertEquals(StoreConfig.defaults(), parse("{}"));
    }

    @Test
    void postgresqlWithPasswordFileAndPool() throws Exception {
        assertEquals(
                new StoreConfig.Postgresql(
                        "jdbc:postgresql://db.example:5432/anvil",
                        "anvil",
                        Optional.of(Path.of("/etc/anvil/db-password")),
                        16),
                parse("{kind: postgresql, url: 'jdbc:postgresql://db.example:5432/anvil', user: anvil, "
                        + "passwordFile: /etc/anvil/db-password, poolSize: 16}"));
        assertEquals(
                new StoreConfig.Postgresql("jdbc:postgresql://127.0.0.1/anvil", "anvil", Optional.empty(), 8),
                parse("{kind: postgresql, url: 'jdbc:postgresql://127.0.0.1/anvil', user: anvil}"));
    }

    @Test
    void badSectionsAreNamedField() throws Exception {
        assertEquals(
                List.of(
                        "store.url: is required for kind postgresql (jdbc:postgresql://host:port/db)",
                        "store.user: is required for kind postgresql"),
                problems("{kind: postgresql}"));
        assertEquals(
                List.of(
                        "store.url: must start with jdbc:postgresql:// (got \"jdbc:h2:/tmp/x\")",
                        "store.poolSize: 0 is outside 1..200"),
                problems("{kind: postgresql, url: 'jdbc:h2:/tmp/x', user: a, poolSize: 0}"));
        assertEquals(List.of("store.kind: must be h2 or postgresql (got \"mysql\")"), problems("{kind: mysql}"));
        assertEquals(
                List.of("store.url: is for kind postgresql; the h2 store lives in stateDir"),
                problems("{url: 'jdbc:postgresql://x/y'}"));
        assertThrows(UnrecognizedPropertyException.class, () -> parse("{kind: h2, password: x}"));
    }

    @Test
    void instanceNameHeartbeatAndTakeover() throws Exception {
        assertEquals(new StoreConfig.H2(Optional.of("admin-1")), parse("{instance: admin-1}"));
        assertEquals(
                new StoreConfig.Postgresql(
                        "jdbc:postgresql://db/anvil",
                        "anvil",
                        Optional.empty(),
                        8,
                        Optional.of("rack7.a"),
                        java.time.Duration.ofSeconds(2),
                        java.time.Duration.ofSeconds(10)),
                parse("{kind: postgresql, url: 'jdbc:postgresql://db/anvil', user: anvil, instance: rack7.a, "
                        + "heartbeatSeconds: 2, takeoverSeconds: 10}"));
        StoreConfig.Postgresql d =
                (StoreConfig.Postgresql) parse("{kind: postgresql, url: 'jdbc:postgresql://db/anvil', user: anvil}");
        assertEquals(java.time.Duration.ofSeconds(5), d.heartbeat());
        assertEquals(java.time.Duration.ofSeconds(30), d.takeover());
        assertEquals(Optional.empty(), d.instance());
        assertEquals(
                List.of("store.takeoverSeconds: 5 must be at least twice heartbeatSeconds (5): one late heartbeat "
                        + "must not count as a dead instance"),
                problems("{kind: postgresql, url: 'jdbc:postgresql://db/anvil', user: a, takeoverSeconds: 5}"));
        assertEquals(
                List.of(
                        "store.heartbeatSeconds: 0 is outside 1..3600",
                        "store.instance: must be 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or "
                                + "digit (got \"-a b\")"),
                problems("{kind: postgresql, url: 'jdbc:postgresql://db/anvil', user: a, heartbeatSeconds: 0, "
                        + "instance: '-a b'}"));
        assertEquals(
                List.of("store.heartbeatSeconds: is for kind postgresql, which several instances may share; "
                        + "the h2 store has one"),
                problems("{heartbeatSeconds: 3}"));
    }

    @Test
    void resyncSeconds() throws Exception {
        StoreConfig.Postgresql d =
                (StoreConfig.Postgresql) parse("{kind: postgresql, url: 'jdbc:postgresql://db/anvil', user: anvil}");
        assertEquals(java.time.Duration.ofSeconds(30), d.resync());
        StoreConfig.Postgresql off = (StoreConfig.Postgresql)
                parse("{kind: postgresql, url: 'jdbc:postgresql://db/anvil', user: anvil, resyncSeconds: 0}");
        assertEquals(java.time.Duration.ZERO, off.resync());
        assertEquals(
                java.time.Duration.ofSeconds(5),
                ((StoreConfig.Postgresql) parse(
                                "{kind: postgresql, url: 'jdbc:postgresql://db/anvil', user: a, resyncSeconds: 5}"))
                        .resync());
        assertEquals(
                List.of("store.resyncSeconds: -1 is outside 0..86400"),
                problems("{kind: postgresql, url: 'jdbc:postgresql://db/anvil', user: a, resyncSeconds: -1}"));
        assertEquals(
                List.of("store.resyncSeconds: is for kind postgresql, which several instances may share; "
                        + "the h2 store has one"),
                problems("{resyncSeconds: 30}"));
    }
}
