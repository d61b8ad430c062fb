package dev.anvil;

import dev.anvil.app.NodeService;
import dev.anvil.config.AnvilConfig;
import dev.anvil.core.lease.AddressBook;
import dev.anvil.core.net.Addressing;
import dev.anvil.dhcp.server.DhcpServer;
import dev.anvil.lifecycle.Service;
import dev.anvil.lifecycle.Services;
import dev.anvil.metrics.InventoryMeters;
import dev.anvil.metrics.Metrics;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The daemon's object graph, the one place that wires: {@link Foundation} (lock, store, journal, directory,
 * catalog), {@link Protocols} (the packet services and what they render), the use cases, {@link Operations}
 * (the tasks), then {@link Listeners}; started in the order below and closed in reverse. {@link Launcher} is the
 * entry point.
 */
public final class Anvild implements AutoCloseable {
    private final Foundation base;
    private final NodeService nodes;
    private final AddressBook addresses;
    private final Listeners listeners;
    private final Services services;
    private final Metrics metrics = new Metrics();

    /** Opens the store and wires every component; nothing listens until {@link #start()}. */
    public Anvild(AnvilConfig config, Clock clock, RandomGenerator random) {
        this(config, clock, random, EarlyDhcp.none(new byte[0], "no start-up snapshot (built in-process)"));
    }

    /** As above, taking over what {@code early} started from the start-up snapshot if the configuration agrees. */
    Anvild(AnvilConfig config, Clock clock, RandomGenerator random, EarlyDhcp early) {
        Foundation b = new Foundation(config, random, early);
        this.base = b;
        try {
            Protocols p = Protocols.build(config, clock, random, b);
            Optional<DhcpServer> dhcp = p.dhcp();
            this.addresses = new AddressBook(b.directory, ip -> dhcp.flatMap(d -> d.leaseAt(ip)), p::leases, clock);
            this.nodes = new NodeService(
                    b.store.nodes(), config.bootEnvironments(), b.events, clock, b.snapshots, addresses);
            InventoryMeters inventory = new InventoryMeters(b.directory, b.catalog, p::leases, clock);
            b.events.subscribe(inventory);
            metrics.bind(inventory);
            Operations ops = Operations.build(config, clock, b, nodes, dhcp, p.timeline());
            this.listeners = Listeners.build(
                    config,
                    clock,
                    random,
                    b,
                    new Listeners.Uses(
                            nodes,
                            p.records(),
                            ops.provisioning(),
                            p.tokens(),
                            p.installFiles(),
                            p.bootConfigs(),
                            dhcp,
                            addresses,
                            ops.tasks(),
                            ops.imports(),
                            p.networkChanged(),
                            this::serviceList,
                            metrics,
                            p.timeline(),
                            ops.power(),
                            ops.cluster()));
            // The timeline's writer, then DHCP and TFTP first: after a crash every second without DHCP counts; the
            // imports before the
            // listeners (their start fails the imports a previous run left). Then what needs every node: DNS
            // builds its zones at start, the tasks and aliveness read the directory.
            List<Service> first = new ArrayList<>();
            first.add(p.timeline()); // closed last: what the others reported while stopping is still stored
            // Registered before any task is claimed (a peer would take over a task of an unregistered instance),
            // its row removed after the tasks stopped.
            ops.cluster().ifPresent(first::add);
            // other instances' node and DNS record changes (PostgreSQL only)
            b.nodeListener(p.records()::sync).ifPresent(first::add);
            dhcp.ifPresent(first::add);
            ops.pools().ifPresent(first::add); // after DHCP (it reads its leases), stopped before it
            p.tftp().ifPresent(first::add);
            p.dhcp6().ifPresent(first::add);
            first.add(ops.imports());
            first.add(listeners.boot());
            first.add(listeners.admin());
            first.add(listeners.events());
            p.dns().ifPresent(first::add);
            p.ra().ifPresent(first::add); // after DNS: the RAs name it as the links' DNS server
            first.add(ops.tasks());
            first.add(ops.aliveness());
            first.add(ops.powerPoll());
            this.services = new Services(first, Duration.ofSeconds(10));
            first.forEach(metrics::bind); // each service's own meters (doc/monitoring.md)
        } catch (RuntimeException e) {
            metrics.close();
            b.abandon();
            throw e;
        }
    }

    private List<Service> serviceList() {
        return services.all();
    }

    public void start() throws Exception {
        base.startLoading();
        services.start();
        base.afterLoad("anvil-address-check", addresses::report); // DHCP runs: its leases are there to check
    }

    /** Waits until the node index is loaded (it loads in the background from {@link #start()}). */
    void directoryLoaded() {
        base.directory.size();
    }

    /** The boot listener's bound address. */
    public InetSocketAddress httpAddress() {
        return listeners.boot().boundAddress();
    }

    public boolean apiSecure() {
        return listeners.admin().secure();
    }

    /** The admin API's bound address. */
    public InetSocketAddress apiAddress() {
        return listeners.admin().boundAddress();
    }

    public Addressing addressing() {
        return base.addressing;
    }

    public NodeService nodes() {
        return nodes;
    }

    @Override
    public void close() {
        services.close();
        metrics.close();
        base.close();
        org.slf4j.LoggerFactory.getLogger(Anvild.class).info("anvild stopped");
    }
}
