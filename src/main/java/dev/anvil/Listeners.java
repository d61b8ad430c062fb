package dev.anvil;

import dev.anvil.api.Access;
import dev.anvil.api.ApiHandler;
import dev.anvil.api.BearerAccess;
import dev.anvil.api.BootEnvRoutes;
import dev.anvil.api.DashboardRoutes;
import dev.anvil.api.DiscoveryGate;
import dev.anvil.api.DnsRecordRoutes;
import dev.anvil.api.EventStreams;
import dev.anvil.api.Json;
import dev.anvil.api.LeaseRoutes;
import dev.anvil.api.LifecycleRoutes;
import dev.anvil.api.MetricsRoutes;
import dev.anvil.api.NetworkRoutes;
import dev.anvil.api.NodeFileRoutes;
import dev.anvil.api.NodeOrigin;
import dev.anvil.api.NodeRoutes;
import dev.anvil.api.OsRoutes;
import dev.anvil.api.PowerRoutes;
import dev.anvil.api.QueueTasks;
import dev.anvil.api.Router;
import dev.anvil.api.StatusRoutes;
import dev.anvil.api.TimelineRoutes;
import dev.anvil.api.TokenRoutes;
import dev.anvil.app.AutoPolicy;
import dev.anvil.app.DnsRecords;
import dev.anvil.app.InstallTokens;
import dev.anvil.app.NodeService;
import dev.anvil.app.PowerControl;
import dev.anvil.app.Provisioning;
import dev.anvil.auth.ApiTokens;
import dev.anvil.config.AnvilConfig;
import dev.anvil.config.HttpConfig;
import dev.anvil.config.HttpMount;
import dev.anvil.core.lease.AddressBook;
import dev.anvil.core.node.NodeState;
import dev.anvil.dhcp.server.DhcpServer;
import dev.anvil.http.FileMount;
import dev.anvil.http.HttpService;
import dev.anvil.http.Tls;
import dev.anvil.lifecycle.Service;
import dev.anvil.metrics.Metrics;
import dev.anvil.render.BootConfigs;
import dev.anvil.render.InstallFiles;
import dev.anvil.tasks.Cluster;
import dev.anvil.tasks.ImportQueue;
import dev.anvil.tasks.TaskQueue;
import dev.anvil.timeline.TimelineRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two HTTP listeners and their routes: the admin API (bearer tokens; every admin route, the dashboard and its
 * live event streams) and the boot listener (files under {@code /boot/} and {@code /install/}, and only what nodes
 * call). Part of {@link Anvild}'s wiring.
 *
 * @param boot the boot listener, for the nodes
 * @param admin the admin API
 * @param events the admin API's event streams (a service: stopping it ends them)
 */
record Listeners(HttpService boot, HttpService admin, EventStreams events) {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    /** What the routes act through. */
    record Uses(
            NodeService nodes,
            DnsRecords records,
            Provisioning provisioning,
            InstallTokens tokens,
            InstallFiles installFiles,
            BootConfigs bootConfigs,
            Optional<DhcpServer> dhcp,
            AddressBook addresses,
            TaskQueue tasks,
            ImportQueue imports,
            Runnable networkChanged,
            Supplier<List<Service>> services,
            Metrics metrics,
            TimelineRecorder timeline,
            PowerControl power,
            Optional<Cluster> cluster) {}

    static Listeners build(AnvilConfig config, Clock clock, RandomGenerator random, Foundation base, Uses u) {
        Json json = new Json();
        Router admin = new Router();
        Router boot = new Router();
        StatusRoutes.registerHealth(admin);
        StatusRoutes.registerHealth(boot);
        ApiTokens apiTokens = new ApiTokens(base.store.apiTokens(), clock, random);
        apiTokens.ensureAdminToken(config.stateDir());
        BearerAccess bearer = new BearerAccess(apiTokens);
        new TokenRoutes(apiTokens, json).register(admin);
        u.metrics().bind(bearer);
        new MetricsRoutes(u.metrics()::scrape, Metrics.CONTENT_TYPE).register(admin);
        Map<String, Supplier<Map<String, Object>>> statusExtras = new LinkedHashMap<>();
        statusExtras.put("api", bearer::metrics);
        statusExtras.put(
                "addresses", () -> Map.of("conflicts", u.addresses().conflicts().size()));
        new StatusRoutes(
                        Launcher.version(),
                        clock,
                        u.services(),
                        base.store,
                        statusExtras,
                        u.tasks().instance(),
                        u.cluster()
                                .map(c -> () -> c.peers().stream()
                                        .map(i -> new StatusRoutes.Peer(i.id(), i.startedAt(), i.heartbeatAt()))
                                        .toList()))
                .register(admin);
        new LeaseRoutes(() -> u.dhcp()
                        .map(DhcpServer::leases)
                        .orElseGet(() -> base.leases.load().stream().toList()))
                .register(admin);
        NodeRoutes nodeRoutes = new NodeRoutes(
                u.nodes(),
                base.store.networks(),
                config.bootEnvironments(),
                base.addressing,
                config.adminNetwork(),
                json,
                u.power()::reading);
        nodeRoutes.register(admin);
        QueueTasks tasks = new QueueTasks(u.tasks(), u.imports(), base.store.tasks());
        EventStreams events = new EventStreams(
                config.api().events(),
                json,
                nodeRoutes::show,
                () -> base.store.tasks().list(Optional.empty(), EventStreams.WATCHED_TASKS),
                tasks::show,
                base.events::version);
        base.events.subscribe(events);
        events.register(admin);
        new DashboardRoutes().register(admin);
        new NetworkRoutes(
                        base.snapshots.guard(base.store.networks()),
                        base.addressing,
                        config.adminNetwork(),
                        json,
                        () -> {
                            u.networkChanged().run();
                            events.networkChanged();
                        })
                .register(admin);
        DiscoveryGate discoveryGate = new DiscoveryGate(
                config.discovery(),
                clock,
                () -> base.directory.all().stream()
                        .filter(n -> (n.state() == NodeState.DISCOVERING || n.state() == NodeState.DISCOVERED)
                                && n.addresses().isEmpty())
                        .count(),
                mac -> base.directory.byMac(mac).isPresent());
        statusExtras.put("discovery", discoveryGate::metrics);
        NodeOrigin origin =
                new NodeOrigin(ip -> u.dhcp().flatMap(d -> d.leaseAt(ip)), base.catalog, base.addressing, clock);
        new NodeFileRoutes(nodeRoutes::find, u.installFiles(), u.bootConfigs(), origin, u.timeline()).register(boot);
        new TimelineRoutes(nodeRoutes::find, base.store.timeline(), u.timeline()::dropped).register(admin);
        LifecycleRoutes lifecycle = new LifecycleRoutes(
                nodeRoutes::find,
                u.nodes(),
                u.provisioning(),
                u.tokens(),
                nodeRoutes::show,
                json,
                tasks,
                new AutoPolicy(config.lifecycle().autoInstall()),
                origin,
                discoveryGate,
                u.timeline());
        lifecycle.registerAdmin(admin);
        lifecycle.registerBoot(boot);
        new BootEnvRoutes(config.bootEnvironments()).register(admin);
        new PowerRoutes(nodeRoutes::find, u.power(), json, u.nodes()::inventory).register(admin);
        new DnsRecordRoutes(u.records(), json).register(admin);
        Path installRoot = config.http().installRootIn(config.stateDir());
        new OsRoutes(u.imports(), tasks::show, json, config.install().importRootsIn(config.stateDir())).register(admin);
        HttpService bootListener = new HttpService(
                config.http(),
                new ApiHandler(boot, json, Access.nodes()),
                mounts(config, boot, installRoot, u.bootConfigs()));
        bootListener.timeline(u.timeline());
        HttpService adminListener = new HttpService(
                config.api(),
                new ApiHandler(admin, json, bearer),
                config.api().tls().map(t -> Tls.serverContext(t, config.stateDir())));
        return new Listeners(bootListener, adminListener, events);
    }

    /**
     * The boot listener's file mounts: the built-in {@code /install/} and {@code /boot/}, then the operator's
     * {@code http.mounts}. Its routes must stay under {@link HttpConfig#ROUTED_SEGMENTS}, the segments no mount
     * shadows (checked here, so a new route cannot slip under a mount at {@code /}).
     */
    private static List<FileMount> mounts(AnvilConfig config, Router boot, Path installRoot, BootConfigs generated) {
        if (!HttpConfig.ROUTED_SEGMENTS.containsAll(boot.firstSegments())) {
            throw new IllegalStateException(
                    "boot routes " + boot.firstSegments() + " leave " + HttpConfig.ROUTED_SEGMENTS);
        }
        boolean list = config.http().listDirectories();
        List<FileMount> out = new ArrayList<>(List.of(
                new FileMount("/install/", installRoot, Optional.empty(), list),
                new FileMount("/boot/", config.tftp().rootIn(config.stateDir()), Optional.of(generated), list)));
        for (HttpMount m : config.http().mounts()) {
            Path dir = m.dirIn(config.stateDir());
            if (!Files.isDirectory(dir)) {
                log.warn("http.mounts: {} is not a directory (yet): {} answers 404 until it is", dir, m.prefix());
            }
            out.add(new FileMount(m.prefix(), dir, Optional.empty(), m.listDirectories()));
        }
        return out;
    }
}
