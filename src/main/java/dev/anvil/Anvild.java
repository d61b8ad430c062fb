package dev.anvil;

import dev.anvil.app.DnsRecords;
import dev.anvil.app.InstallTokens;
import dev.anvil.app.NodeService;
import dev.anvil.auth.InstallTokenKey;
import dev.anvil.config.AnvilConfig;
import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.lease.AddressBook;
import dev.anvil.core.net.Addressing;
import dev.anvil.dhcp.policy.DhcpResponder;
import dev.anvil.dhcp.server.DhcpServer;
import dev.anvil.dns.server.DnsServer;
import dev.anvil.dns.server.DnsZones;
import dev.anvil.dns.server.ForwardScope;
import dev.anvil.lifecycle.Service;
import dev.anvil.lifecycle.Services;
import dev.anvil.metrics.InventoryMeters;
import dev.anvil.metrics.Metrics;
import dev.anvil.render.BootConfigs;
import dev.anvil.render.InstallFiles;
import dev.anvil.render.Templates;
import dev.anvil.tasks.JschShell;
import dev.anvil.tftp.server.TftpFiles;
import dev.anvil.tftp.server.TftpServer;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The daemon's object graph, the one place that wires: {@link Foundation} (lock, store, journal, directory,
 * catalog), the use cases, the packet services, the tasks, then {@link Listeners}; started in that order and
 * closed in reverse. {@link Launcher} is the entry point.
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
            BootPlanner planner = new BootPlanner(
                    config.bootEnvironments(),
                    config.dhcp().loaders(),
                    config.http().listen().port());
            // DHCP (and TFTP) first: after a crash every second without DHCP counts. Then the listeners, then what
            // needs every node: DNS builds its zones at start, the tasks and aliveness read the directory.
            List<Service> first = new ArrayList<>();
            List<Service> late = new ArrayList<>();
            Optional<DhcpServer> dhcp = !config.dhcp().enabled()
                    ? Optional.empty()
                    : b.earlyServer()
                            .or(() -> Optional.of(new DhcpServer(
                                    config.dhcp(),
                                    b.catalog,
                                    b.directory,
                                    new DhcpResponder(config.dhcp(), planner),
                                    b.leases,
                                    clock)));
            dhcp.ifPresent(first::add);
            this.addresses = new AddressBook(
                    b.directory,
                    ip -> dhcp.flatMap(d -> d.leaseAt(ip)),
                    () -> dhcp.map(DhcpServer::leases).orElse(List.of()),
                    clock);
            this.nodes = new NodeService(
                    b.store.nodes(), config.bootEnvironments(), b.events, clock, b.snapshots, addresses);
            InventoryMeters inventory = new InventoryMeters(
                    b.directory, b.catalog, () -> dhcp.map(DhcpServer::leases).orElse(List.of()), clock);
            b.events.subscribe(inventory);
            metrics.bind(inventory);
            List<Runnable> networkChanged = new ArrayList<>();
            networkChanged.add(() -> b.catalog.refresh(() -> b.store.networks().list()));
            DnsRecords records = new DnsRecords(b.store.dnsRecords(), b.store.nodes(), b.catalog);
            if (config.dns().enabled()) {
                DnsZones zones = new DnsZones(
                        b.catalog,
                        config.adminNetwork(),
                        b.directory,
                        b.addressing,
                        config.dns(),
                        clock,
                        b.store.dnsRecords()::list);
                b.events.subscribe(zones);
                records.subscribe(zones::recordChanged);
                networkChanged.add(zones::rebuild);
                late.add(new DnsServer(config.dns(), zones, ForwardScope.of(config.dns(), b.catalog)));
            }
            Templates templates = new Templates(config.install().templatesDir());
            BootConfigs bootConfigs = new BootConfigs(templates, b.directory, b.catalog, planner);
            InstallTokens tokens = new InstallTokens(
                    b.store.installTokens(),
                    InstallTokenKey.load(b.store.meta(), config.stateDir(), () -> InstallTokens.newKey(random)),
                    clock,
                    config.install().tokenTtl(),
                    random);
            b.events.subscribe(tokens.armingOn(config.bootEnvironments()));
            InstallFiles installFiles = new InstallFiles(
                    templates,
                    b.catalog,
                    config.bootEnvironments(),
                    b.addressing,
                    config.install(),
                    tokens,
                    config.stateDir().resolve("ssh").resolve(JschShell.KEY_FILE + ".pub"),
                    config.http().listen().port());
            if (config.tftp().enabled()) {
                first.add(new TftpServer(
                        config.tftp(),
                        new TftpFiles(
                                config.tftp().rootIn(config.stateDir()),
                                bootConfigs,
                                config.tftp().uploadDirs())));
            }
            Operations ops = Operations.build(config, clock, b, nodes, dhcp);
            first.add(ops.imports()); // before the listeners: its start fails the imports a previous run left
            late.add(ops.tasks());
            late.add(ops.aliveness());
            this.listeners = Listeners.build(
                    config,
                    clock,
                    random,
                    b,
                    new Listeners.Uses(
                            nodes,
                            records,
                            ops.provisioning(),
                            tokens,
                            installFiles,
                            bootConfigs,
                            dhcp,
                            addresses,
                            ops.tasks(),
                            ops.imports(),
                            () -> networkChanged.forEach(Runnable::run),
                            this::serviceList,
                            metrics));
            first.add(listeners.boot());
            first.add(listeners.admin());
            first.addAll(late);
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
