package dev.anvil.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anvil.core.ConflictException;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkDraft;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.Store;
import dev.anvil.store.h2.H2Store;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: a network removed from the configuration is deleted when unused, and refuses the start when not; a
 * configured network overlapping one created through the API refuses the start.
 */
class ConfiguredNetworksTest {
    static final Network ADMIN = net("admin", 1, "10.10.0");
    static final Network LAB = net("lab", 2, "10.20.0");
    static final Network SPARE = net("spare", 3, "10.30.0");

    @TempDir
    Path dir;

    static Network net(String name, int id, String prefix) {
        return new NetworkDraft(
                        name,
                        id,
                        prefix + ".0/24",
                        prefix + ".10-" + prefix + ".99",
                        null,
                        prefix + ".1",
                        "cluster.test",
                        "none",
                        null,
                        null)
                .validate();
    }

    static List<String> names(Store s) {
        return s.networks().list().stream().map(Network::name).toList();
    }

    @Test
    void aRemovedNetworkGoesWhenUnusedAndRefusesTheStartWhenUsed() {
        try (Store s = H2Store.open(dir)) {
            ConfiguredNetworks.apply(List.of(ADMIN, LAB, SPARE), s.networks(), s.meta());
            s.networks().create(net("api-made", 4, "10.40.0")); // through the API: never in any configuration
            s.nodes()
                    .create(
                            new NodeDraft(
                                    "n1.cluster.test",
                                    List.of(MacAddress.parse("52:54:00:00:00:01")),
                                    Map.of("lab", Optional.empty()),
                                    "sledgehammer",
                                    Optional.empty(),
                                    true,
                                    NodeState.DISCOVERING),
                            Instant.EPOCH);
            assertEquals(List.of("admin", "lab", "spare", "api-made"), names(s));

            ConflictException e = assertThrows(
                    ConflictException.class, () -> ConfiguredNetworks.apply(List.of(ADMIN), s.networks(), s.meta()));
            assertEquals("networks", e.field());
            assertEquals(
                    "removed from the configuration but still in use: \"lab\" (10.20.0.0/24): 1 node(s) hold "
                            + "addresses on it. Put the network back, move or delete those nodes through the API, then remove it "
                            + "again",
                    e.getMessage());
            assertEquals(List.of("admin", "lab", "spare", "api-made"), names(s), "a refusal changes nothing");

            ConfiguredNetworks.apply(List.of(ADMIN, LAB), s.networks(), s.meta());
            assertEquals(List.of("admin", "lab", "api-made"), names(s), "the unused one is deleted, the API's kept");

            s.nodes().delete("n1.cluster.test");
            ConfiguredNetworks.apply(List.of(ADMIN), s.networks(), s.meta());
            assertEquals(List.of("admin", "api-made"), names(s));
            ConfiguredNetworks.apply(List.of(ADMIN, SPARE), s.networks(), s.meta());
            assertEquals(List.of("admin", "spare", "api-made"), names(s), "and may come back");

            Network over = new NetworkDraft(
                            "wide",
                            5,
                            "10.40.0.0/16",
                            "10.40.1.10-10.40.1.99",
                            null,
                            null,
                            "cluster.test",
                            "none",
                            null,
                            null)
                    .validate();
            ConflictException o = assertThrows(
                    ConflictException.class,
                    () -> ConfiguredNetworks.apply(List.of(ADMIN, over), s.networks(), s.meta()));
            assertEquals("networks", o.field());
            assertEquals(
                    "configured networks overlap networks created through the API: \"wide\" (10.40.0.0/16) "
                            + "overlaps \"api-made\" (10.40.0.0/24). Delete those through the API or change the configuration",
                    o.getMessage());
            assertEquals(List.of("admin", "spare", "api-made"), names(s), "refused before anything changed");
        }
    }
}
