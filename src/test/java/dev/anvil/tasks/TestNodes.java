package dev.anvil.tasks;

import dev.anvil.app.NodeService;
import dev.anvil.app.Provisioning;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.net.NetworkDraft;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeEvents;
import dev.anvil.store.NodeQuery;
import dev.anvil.store.h2.H2Store;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The node side of the lifecycle as Anvild wires it, for tests: the H2 store with the loopback network "lo"
 * (127.0.0.0/16, domain cluster.test), the node events with the node directory subscribed, the node service and
 * provisioning ("d{mac}" names), over the embedded default boot environments.
 */
final class TestNodes {
    final BootEnvironments envs = new ConfigLoader().embeddedDefault().bootEnvironments();
    final H2Store store;
    final NodeEvents events = new NodeEvents();
    final NodeDirectory directory;
    final NodeService nodes;
    final Provisioning provisioning;

    TestNodes(Path stateDir, Clock clock) {
        store = H2Store.open(stateDir);
        store.networks()
                .put(new NetworkDraft(
                                "lo",
                                1,
                                "127.0.0.0/16",
                                "127.0.1.1-127.0.9.254",
                                null,
                                null,
                                "cluster.test",
                                "none",
                                null,
                                null)
                        .validate());
        directory = new NodeDirectory(store.nodes().list(NodeQuery.all()));
        events.subscribe(directory);
        nodes = new NodeService(store.nodes(), envs, events, clock);
        provisioning = new Provisioning(nodes, envs, "lo", "cluster.test", "d{mac}");
    }
}
