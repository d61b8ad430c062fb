package dev.anvil;

import dev.anvil.app.NodeService;
import dev.anvil.app.PowerControl;
import dev.anvil.app.Provisioning;
import dev.anvil.auth.SecretBox;
import dev.anvil.config.AnvilConfig;
import dev.anvil.config.LifecycleConfig;
import dev.anvil.config.StoreConfig;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.Node;
import dev.anvil.dhcp.server.DhcpServer;
import dev.anvil.dhcp.server.PoolSharing;
import dev.anvil.os.OsTrees;
import dev.anvil.power.IpmiTool;
import dev.anvil.power.PowerSlots;
import dev.anvil.power.Redfish;
import dev.anvil.tasks.Aliveness;
import dev.anvil.tasks.Cluster;
import dev.anvil.tasks.ImportQueue;
import dev.anvil.tasks.JschShell;
import dev.anvil.tasks.NodeShell;
import dev.anvil.tasks.PowerPoll;
import dev.anvil.tasks.TaskQueue;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The provisioning lifecycle's moving parts: the use cases ({@link Provisioning}), SSH to the nodes with the
 * admin key and pinned host keys, the durable task queue, the aliveness checks and the OS imports. Part of
 * {@link Anvild}'s wiring.
 *
 * @param provisioning the lifecycle's use cases
 * @param tasks the durable task queue (a service)
 * @param aliveness the periodic ping and SSH checks (a service)
 * @param imports the OS imports through the API, as tasks on their own threads (a service)
 * @param power the nodes' BMCs (doc/power.md): the API's power routes and the lifecycle's BMC tasks share it
 * @param powerPoll the periodic power-state poll of the nodes' BMCs (a service)
 * @param cluster on a store several instances may share (PostgreSQL): this instance's heartbeat and the takeover
 *     of silent peers' tasks (a service, started before the tasks and stopped after them)
 * @param pools on a shared store with DHCP: the DHCP pools shared with the other instances (a service, started
 *     after DHCP and stopped before it)
 */
record Operations(
        Provisioning provisioning,
        TaskQueue tasks,
        Aliveness aliveness,
        ImportQueue imports,
        PowerControl power,
        PowerPoll powerPoll,
        Optional<Cluster> cluster,
        Optional<PoolSharing> pools) {
    static Operations build(
            AnvilConfig config,
            Clock clock,
            Foundation b,
            NodeService nodes,
            Optional<DhcpServer> dhcp,
            dev.anvil.core.timeline.Timeline timeline) {
        Provisioning provisioning = new Provisioning(
                nodes,
                config.bootEnvironments(),
                config.adminNetwork(),
                b.catalog.get(config.adminNetwork()).map(Network::domain).orElse("cluster.local"),
                config.lifecycle().discoveredName());
        LifecycleConfig lc = config.lifecycle();
        // A node's SSH address: its reservation on the admin network, else its live DHCP lease.
        Function<Node, Optional<String>> sshHost = JschShell.addressOn(
                config.adminNetwork(),
                n -> dhcp.flatMap(d -> d.leasedTo(n.macs())).map(Object::toString));
        NodeShell shell = new JschShell(
                adminKey(config.stateDir()),
                lc.sshUser(),
                lc.sshPort(),
                lc.sshConnectTimeout(),
                sshHost,
                id -> b.directory.byId(id).map(Node::hostKeys).orElse(List.of()),
                JschShell.HostKeyListener.of(provisioning::hostKeyMismatch, provisioning::hostKeyVerified),
                clock);
        BiConsumer<Node, Boolean> aliveReport =
                (n, alive) -> provisioning.alive(n, alive, "aliveness", alive ? "answers ping and SSH" : "no answer");
        // The BMC password key: made 0600 on the first start, a wider mode refuses the start (doc/power.md).
        // The drivers by name: one entry per driver; one PowerSlots for all (at most 32 BMC calls at once in all).
        PowerSlots powerSlots = new PowerSlots(PowerSlots.DEFAULT_MAX, Duration.ofSeconds(30));
        PowerControl power = new PowerControl(
                b.store.bmcs(),
                SecretBox.open(config.stateDir(), new SecureRandom()),
                Map.of(IpmiTool.NAME, IpmiTool.standard(powerSlots), Redfish.NAME, Redfish.standard(powerSlots)),
                clock,
                timeline);
        // This anvild's name in the store; a PostgreSQL store may be shared with other instances (doc/scale-out.md).
        String instance = Cluster.instanceId(config.store().instance(), config.stateDir(), new SecureRandom());
        Optional<StoreConfig.Postgresql> shared =
                config.store() instanceof StoreConfig.Postgresql pg ? Optional.of(pg) : Optional.empty();
        TaskQueue tasks = new TaskQueue(
                b.store.tasks(),
                b.directory::byId,
                shell,
                lc,
                clock,
                n -> aliveReport.accept(n, false),
                timeline,
                power,
                instance,
                shared.isPresent());
        // A task waiting for its node (unavailable, not alive) is looked at again when a node changes.
        b.events.subscribe(e -> tasks.nodeChanged());
        Optional<Cluster> cluster = shared.map(pg -> new Cluster(
                b.store.instances(), instance, pg.heartbeat(), pg.takeover(), clock, tasks::takeOverSilentPeers));
        // Several instances, one pool: an address is offered only once claimed in the store (doc/scale-out.md).
        Optional<PoolSharing> pools =
                cluster.flatMap(c -> dhcp.flatMap(d -> b.store.sharedLeases().map(s -> {
                    PoolSharing p = new PoolSharing(s, instance, b.catalog, clock, c::live, c::takeoverCutoff);
                    p.attach(d);
                    return p;
                })));
        // A machine sent to install-pending is restarted into its installer: through its BMC when it has one
        // (next boot PXE once, cycle or on), else over SSH when it is running and reachable.
        provisioning.onInstallPending(n -> {
            if (power.hasBmc(n) || (n.alive() && n.available())) {
                tasks.restart(n);
            }
        });
        // Sent back to discovery: a node with a BMC is restarted into the discovery image at once.
        provisioning.onRedeploy(n -> {
            if (power.hasBmc(n)) {
                tasks.restart(n);
            }
        });
        OsTrees trees = new OsTrees(
                config.http().installRootIn(config.stateDir()),
                config.bootEnvironments(),
                config.install().importTimeout());
        return new Operations(
                provisioning,
                tasks,
                new Aliveness(b.directory::all, shell, sshHost, lc.aliveInterval(), aliveReport),
                new ImportQueue(trees, b.store.tasks(), config.install().maxImports(), clock, instance),
                power,
                new PowerPoll(b.directory::all, power, config.power()),
                cluster,
                pools);
    }

    private static Path adminKey(Path stateDir) {
        try {
            return JschShell.ensureKey(stateDir.resolve("ssh"));
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
