package dev.anvil;

import dev.anvil.api.Access;
import dev.anvil.api.DiscoveryGate;
import dev.anvil.api.NodeOrigin;
import dev.anvil.api.ApiHandler;
import dev.anvil.api.BearerAccess;
import dev.anvil.api.TokenRoutes;
import dev.anvil.auth.ApiTokens;
import dev.anvil.auth.SecretFiles;
import dev.anvil.api.BootEnvRoutes;
import dev.anvil.api.Json;
import dev.anvil.api.NetworkRoutes;
import dev.anvil.api.NodeRoutes;
import dev.anvil.api.Router;
import dev.anvil.api.LeaseRoutes;
import dev.anvil.api.StatusRoutes;
import dev.anvil.config.AnvilConfig;
import dev.anvil.config.CommandLine;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import dev.anvil.core.boot.BootPlanner;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.UlaPrefix;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeEvents;
import dev.anvil.app.NodeService;
import dev.anvil.http.FileMount;
import dev.anvil.http.HttpService;
import dev.anvil.http.Tls;
import dev.anvil.api.NodeFileRoutes;
import dev.anvil.api.OsRoutes;
import dev.anvil.api.LifecycleRoutes;
import dev.anvil.api.TaskJson;
import dev.anvil.config.LifecycleConfig;
import dev.anvil.app.AutoPolicy;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeState;
import dev.anvil.app.Provisioning;
import dev.anvil.tasks.Aliveness;
import dev.anvil.tasks.JschShell;
import dev.anvil.tasks.NodeShell;
import dev.anvil.tasks.TaskQueue;
import dev.anvil.os.OsTrees;
import dev.anvil.app.InstallTokens;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.render.InstallFiles;
import dev.anvil.dhcp.policy.DhcpResponder;
import dev.anvil.dns.server.DnsServer;
import dev.anvil.dns.server.DnsZones;
import dev.anvil.dhcp.server.DhcpServer;
import dev.anvil.lifecycle.Service;
import dev.anvil.render.BootConfigs;
import dev.anvil.render.Templates;
import dev.anvil.tftp.server.TftpFiles;
import dev.anvil.tftp.server.TftpServer;
import dev.anvil.lifecycle.Services;
import dev.anvil.store.LeaseStore;
import dev.anvil.store.NodeQuery;
import dev.anvil.store.Store;
import dev.anvil.store.journal.JournalLeaseStore;
import dev.anvil.store.h2.H2Store;
import dev.anvil.dhcp.snapshot.DhcpSnapshot;
import dev.anvil.dhcp.snapshot.SnapshotKeeper;
import java.nio.channels.FileChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon: the one place that builds the object graph, starts the services and stops them. */
public final class Anvild implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Anvild.class);
  static final String ULA_KEY = "ula.global-id";
  static final String TOKEN_KEY = "install-token-key";
  static final String TOKEN_KEY_FILE = "install-token.key";

  private final AnvilConfig config;
  private final Store store;
  private final Addressing addressing;
  private final NodeService nodes;
  private final HttpService http;
  private final HttpService api;
  private final NodeDirectory directory;
  private final LeaseStore leases;
  private final Services services;
  private final SnapshotKeeper snapshots;
  private final EarlyDhcp early;
  private final FileChannel lock;

  /** Opens the store and wires every component; nothing listens until {@link #start()}. */
  public Anvild(AnvilConfig config, Clock clock, RandomGenerator random) {
    this(config, clock, random, EarlyDhcp.none(new byte[0], "no start-up snapshot (built in-process)"));
  }

  /**
   * As above, taking over the DHCP server {@code early} started from the start-up snapshot, if it did and the
   * configuration and store agree with it.
   */
  Anvild(AnvilConfig config, Clock clock, RandomGenerator random, EarlyDhcp early) {
    this.config = config;
    this.early = early;
    try {
      Optional<FileChannel> held = early.lockFor(config.stateDir());
      this.lock = held.isPresent() ? held.get() : EarlyDhcp.lock(config.stateDir());
    } catch (IOException e) {
      throw new IllegalStateException("cannot lock the state directory " + config.stateDir() + ": " + e.getMessage(),
          e);
    }
    try {
      this.store = H2Store.open(config.stateDir());
    } catch (RuntimeException e) {
      closeLock(lock);
      throw e;
    }
    // Exact whenever it exists: every node and network write below is bracketed by it (see SnapshotKeeper).
    this.snapshots = new SnapshotKeeper(config.stateDir(), this::snapshotNow);
    boolean fromSnapshot = false;
    LeaseStore leaseStore = null;
    try {
      long ula = UlaPrefix.parseGlobalId(store.meta().getOrInit(ULA_KEY,
          () -> UlaPrefix.formatGlobalId(UlaPrefix.newGlobalId(random))));
      this.addressing = new Addressing(ula);
      // Started from the snapshot: its fingerprint says the config networks are the ones it holds, so these
      // puts change nothing (and the snapshot stays for a crash before it is rewritten). Otherwise they may, and
      // a snapshot left by another configuration goes first.
      if (!early.running()) {
        snapshots.begin();
      }
      try {
        dev.anvil.app.ConfiguredNetworks.apply(config.networks(), store.networks(), store.meta());
      } finally {
        if (!early.running()) {
          snapshots.end();
        }
      }
      List<Network> storeNetworks = store.networks().list();
      if (early.running()) {
        Optional<String> differs = early.mismatch(config, storeNetworks);
        if (differs.isPresent()) {
          log.error("the start-up snapshot disagrees with the configuration or store ({}); DHCP restarts from the "
              + "store", differs.get());
          early.discard();
          snapshots.begin(); // removes it
          snapshots.end();
        } else {
          fromSnapshot = true;
        }
      }
      log.info("{}", early.outcome());
      leaseStore = fromSnapshot ? early.leases() : JournalLeaseStore.open(config.stateDir());
      this.leases = leaseStore;
      NodeEvents events = new NodeEvents();
      // Filled in the background by start(): DHCP answers from its first packet (asking the store by MAC until
      // the index is loaded; the start-up snapshot answered until here) instead of after a full-table read.
      NodeDirectory directory;
      NetworkCatalog catalog;
      if (fromSnapshot) {
        directory = early.directory();
        directory.beforeLoadAsk(mac -> store.nodes().findByMac(mac), events::version);
        catalog = early.catalog();
        catalog.refresh(() -> storeNetworks);
      } else {
        directory = NodeDirectory.deferred(mac -> store.nodes().findByMac(mac), events::version);
        catalog = new NetworkCatalog(storeNetworks);
      }
      this.directory = directory;
      events.subscribe(directory);
      List<Runnable> networkChanged = new ArrayList<>();
      networkChanged.add(() -> catalog.refresh(() -> store.networks().list()));
      this.nodes = new NodeService(store.nodes(), config.bootEnvironments(), events, clock, snapshots);
      List<Service> svc = new ArrayList<>();
      Service dns = null;
      DhcpServer dhcp = null;
      BootPlanner planner = new BootPlanner(config.bootEnvironments(), config.dhcp().loaders(),
          config.http().listen().port());
      if (config.dhcp().enabled()) {
        dhcp = fromSnapshot ? early.server() : new DhcpServer(config.dhcp(), catalog, directory,
            new DhcpResponder(config.dhcp(), planner), leases,
            clock);
        svc.add(dhcp);
      }
      if (config.dns().enabled()) {
        DnsZones zones = new DnsZones(catalog, config.adminNetwork(), directory, addressing, config.dns(), clock);
        events.subscribe(zones);
        networkChanged.add(zones::rebuild);
        dns = new DnsServer(config.dns(), zones, client -> forwardAllowed(config.dns(), catalog, client));
      }
      Templates templates = new Templates(config.install().templatesDir());
      BootConfigs bootConfigs = new BootConfigs(templates, directory, catalog, planner);
      InstallTokens tokens = new InstallTokens(store.installTokens(), java.util.HexFormat.of().parseHex(
          installTokenKey(store, config.stateDir(), random)), clock, config.install().tokenTtl(), random);
      events.subscribe(e -> {
        // A node sent to an installer gets a fresh token; whatever an earlier install was given dies.
        // (also when it is sent to the same installer again, e.g. after a failure).
        boolean installer = e.after().isPresent() && config.bootEnvironments().get(e.after().get().bootEnv())
            .flatMap(b -> b.installTemplate()).isPresent();
        boolean enteredPending = e.after().map(a -> a.state() == NodeState.INSTALL_PENDING).orElse(false)
            && e.before().map(b -> b.state() != NodeState.INSTALL_PENDING).orElse(true);
        if (installer && (e.kind() == NodeEvent.Kind.BOOT_ENV_CHANGED || enteredPending)) {
          tokens.arm(e.after().get());
        }
      });
      InstallFiles installFiles = new InstallFiles(templates, catalog, config.bootEnvironments(), addressing,
          config.install(), tokens, config.stateDir().resolve("ssh").resolve(JschShell.KEY_FILE + ".pub"),
          config.http().listen().port());
      if (config.tftp().enabled()) {
        Path root = config.tftp().rootIn(config.stateDir());
        try {
          Files.createDirectories(root);
          for (Path up : config.tftp().uploadDirs()) {
            Files.createDirectories(root.resolve(up));
          }
        } catch (IOException e) {
          throw new IllegalStateException("cannot create the TFTP root " + root + " or its upload directories: "
              + e.getMessage(), e);
        }
        svc.add(new TftpServer(config.tftp(), new TftpFiles(root, bootConfigs, config.tftp().uploadDirs())));
      }
      Json json = new Json();
      // Two listeners, two routers: the admin API (bearer tokens) and the boot listener (what nodes need).
      Router router = new Router();
      Router boot = new Router();
      StatusRoutes.registerHealth(router);
      StatusRoutes.registerHealth(boot);
      ApiTokens apiTokens = new ApiTokens(store.apiTokens(), clock, random);
      apiTokens.ensureAdminToken(config.stateDir());
      BearerAccess bearer = new BearerAccess(apiTokens);
      new TokenRoutes(apiTokens, json).register(router);
      Map<String, java.util.function.Supplier<Map<String, Object>>> statusExtras = new java.util.LinkedHashMap<>();
      statusExtras.put("api", bearer::metrics);
      new StatusRoutes(version(), clock, this::serviceList, store, statusExtras).register(router);
      new NetworkRoutes(snapshots.guard(store.networks()), addressing, config.adminNetwork(), json,
          () -> networkChanged.forEach(Runnable::run)).register(router);
      DhcpServer dhcpServer = dhcp;
      new LeaseRoutes(() -> dhcpServer == null ? leases.load().stream().toList() : dhcpServer.leases())
          .register(router);
      NodeRoutes nodeRoutes = new NodeRoutes(nodes, store.networks(), config.bootEnvironments(), addressing,
          config.adminNetwork(), json);
      nodeRoutes.register(router);
      Provisioning provisioning = new Provisioning(nodes, config.bootEnvironments(), config.adminNetwork(),
          catalog.get(config.adminNetwork()).map(Network::domain).orElse("cluster.local"),
          config.lifecycle().discoveredName());
      DiscoveryGate discoveryGate = new DiscoveryGate(config.discovery(), clock, () -> directory.all().stream()
          .filter(n -> (n.state() == NodeState.DISCOVERING || n.state() == NodeState.DISCOVERED)
              && n.addresses().isEmpty()).count());
      statusExtras.put("discovery", discoveryGate::metrics);
      NodeOrigin origin = new NodeOrigin(ip -> dhcpServer == null ? Optional.empty() : dhcpServer.leaseAt(ip), clock);
      new NodeFileRoutes(nodeRoutes::find, installFiles, bootConfigs, origin).register(boot);
      Path adminKey;
      try {
        adminKey = JschShell.ensureKey(config.stateDir().resolve("ssh"));
      } catch (IOException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      LifecycleConfig lc = config.lifecycle();
      java.util.function.Function<Node, Optional<String>> sshHost = JschShell.addressOn(config.adminNetwork(),
          n -> dhcpServer == null ? Optional.empty() : dhcpServer.leasedTo(n.macs()).map(Object::toString));
      NodeShell shell = new JschShell(adminKey, lc.sshUser(), lc.sshPort(), lc.sshConnectTimeout(), sshHost,
          id -> directory.byId(id).map(Node::hostKeys).orElse(List.of()), new JschShell.HostKeyListener() {
            @Override
            public void mismatch(Node node, dev.anvil.core.node.HostKeyMismatch seen) {
              provisioning.hostKeyMismatch(node, seen);
            }

            @Override
            public void verified(Node node) {
              provisioning.hostKeyVerified(node);
            }
          }, clock);
      java.util.function.BiConsumer<Node, Boolean> aliveReport =
          (n, alive) -> provisioning.alive(n, alive, "aliveness", alive ? "answers ping and SSH" : "no answer");
      TaskQueue tasks = new TaskQueue(store.tasks(), directory::byId, shell, lc, clock,
          n -> aliveReport.accept(n, false));
      provisioning.onInstallPending(n -> {
        if (n.alive() && n.available()) {
          tasks.reboot(n);
        }
      });
      Aliveness aliveness = new Aliveness(directory::all, shell, sshHost, lc.aliveInterval(), aliveReport);
      List<Service> late = new ArrayList<>();
      if (dns != null) {
        late.add(dns);
      }
      late.add(tasks);
      late.add(aliveness);
      LifecycleRoutes lifecycleRoutes = new LifecycleRoutes(nodeRoutes::find, nodes, provisioning, tokens, nodeRoutes::show, json,
          new LifecycleRoutes.Tasks() {
            @Override
            public Object reboot(Node node, String actor) {
              return TaskJson.of(tasks.reboot(node), tasks);
            }

            @Override
            public Object get(long id) {
              return store.tasks().get(id).map(t -> TaskJson.of(t, tasks))
                  .orElseThrow(() -> new dev.anvil.core.NotFoundException("no task " + id));
            }

            @Override
            public List<?> list(Optional<Node> node) {
              return store.tasks().list(node.map(Node::id), 200).stream().map(t -> TaskJson.of(t, tasks)).toList();
            }
          }, new AutoPolicy(lc.autoInstall()), origin, discoveryGate);
      lifecycleRoutes.registerAdmin(router);
      lifecycleRoutes.registerBoot(boot);
      new BootEnvRoutes(config.bootEnvironments()).register(router);
      List<Path> importRoots = config.install().importRootsIn(config.stateDir());
      try {
        Files.createDirectories(importRoots.get(0));
      } catch (IOException e) {
        throw new IllegalStateException("cannot create " + importRoots.get(0) + ": " + e.getMessage(), e);
      }
      new OsRoutes(new OsTrees(config.http().installRootIn(config.stateDir()), config.bootEnvironments()), json,
          importRoots).register(router);
      Path installRoot = config.http().installRootIn(config.stateDir());
      Path bootRoot = config.tftp().rootIn(config.stateDir());
      for (Path p : List.of(installRoot, bootRoot)) {
        try {
          Files.createDirectories(p);
        } catch (IOException e) {
          throw new IllegalStateException("cannot create " + p + ": " + e.getMessage(), e);
        }
      }
      this.http = new HttpService(config.http(), new ApiHandler(boot, json, Access.nodes()), List.of(
          new FileMount("/install/", installRoot, Optional.empty()),
          new FileMount("/boot/", bootRoot, Optional.of(bootConfigs))));
      this.api = new HttpService(config.api(), new ApiHandler(router, json, bearer),
          config.api().tls().map(t -> Tls.serverContext(t, config.stateDir())));
      // DHCP (and TFTP) first: after a crash every second without DHCP counts. Then the listeners, then what
      // needs every node: DNS builds its zones at start, the tasks and aliveness read the directory.
      svc.add(http);
      svc.add(api);
      svc.addAll(late);
      this.services = new Services(svc, Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      if (fromSnapshot) {
        early.discard();
      } else if (leaseStore != null) {
        leaseStore.close();
      }
      store.close();
      closeLock(lock);
      throw e;
    }
  }

  /** What DHCP needs to answer the next start before the store is open (written by {@link SnapshotKeeper}). */
  private DhcpSnapshot snapshotNow() {
    return new DhcpSnapshot(early.fingerprint(), config.stateDir().toAbsolutePath().normalize(), config.dhcp(),
        config.http().listen().port(), config.bootEnvironments().all().stream()
            .map(b -> DhcpSnapshot.dhcpView(b.name(), b.localBoot())).toList(),
        store.networks().list(), List.copyOf(directory.all()));
  }

  private static void closeLock(FileChannel lock) {
    try {
      lock.close();
    } catch (IOException e) {
      log.warn("cannot release the state directory lock: {}", e.getMessage());
    }
  }

  /**
   * The install-token key from {@code <stateDir>/install-token.key} (0600), made on the first start. A store
   * from before the key left the database still holds it: it moves to the file (live tokens stay valid) and
   * out of the store.
   */
  private static String installTokenKey(Store store, Path stateDir, RandomGenerator random) {
    Optional<String> legacy = store.meta().get(TOKEN_KEY);
    String key = SecretFiles.readOrCreate(stateDir.resolve(TOKEN_KEY_FILE),
        () -> legacy.orElseGet(() -> InstallTokens.newKey(random)));
    if (legacy.isPresent()) {
      store.meta().remove(TOKEN_KEY);
      log.info("install-token key moved from the store to {}", stateDir.resolve(TOKEN_KEY_FILE));
    }
    return key;
  }

  /** Forwarding is for clients in {@code dns.forwardFor}, or by default on Anvil's own networks. */
  private static boolean forwardAllowed(dev.anvil.config.DnsConfig dns, NetworkCatalog networks,
      java.net.InetAddress client) {
    if (!(client instanceof java.net.Inet4Address v4)) {
      return false;
    }
    dev.anvil.core.net.Ipv4Address a = dev.anvil.core.net.Ipv4Address.of(v4);
    return dns.forwardFor().isEmpty() ? networks.containing(a).isPresent()
        : dns.forwardFor().stream().anyMatch(c -> c.contains(a));
  }

  private List<Service> serviceList() {
    return services.all();
  }

  public void start() throws Exception {
    Thread load = new Thread(() -> {
      try {
        long t0 = System.nanoTime();
        directory.load(() -> store.nodes().list(NodeQuery.all()));
        log.info("node directory loaded: {} nodes in {} ms", directory.size(), (System.nanoTime() - t0) / 1_000_000);
        snapshots.start();
      } catch (RuntimeException e) {
        log.error("cannot load the nodes: {}", e.getMessage(), e);
        directory.failed(e);
      }
    }, "anvil-directory-load");
    load.setDaemon(true);
    load.start();
    services.start();
  }

  /** Waits until the node index is loaded (it loads in the background from {@link #start()}). */
  void directoryLoaded() {
    directory.size();
  }

  /** The boot listener's bound address. */
  public InetSocketAddress httpAddress() {
    return http.boundAddress();
  }

  public boolean apiSecure() {
    return api.secure();
  }

  /** The admin API's bound address. */
  public InetSocketAddress apiAddress() {
    return api.boundAddress();
  }

  public Addressing addressing() {
    return addressing;
  }

  public NodeService nodes() {
    return nodes;
  }

  @Override
  public void close() {
    services.close();
    snapshots.close();
    leases.close();
    store.close();
    closeLock(lock);
    log.info("anvild stopped");
  }

  static String version() {
    try (InputStream in = Anvild.class.getClassLoader().getResourceAsStream("anvil/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    CommandLine cl;
    try {
      cl = CommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("anvild: " + e.getMessage());
      System.err.print(CommandLine.usage());
      return 2;
    }
    if (cl.help()) {
      System.out.print(CommandLine.usage());
      return 0;
    }
    if (cl.version()) {
      System.out.println("anvild " + version());
      return 0;
    }
    if (cl.checkConfig().isPresent()) {
      ConfigLoader loader = new ConfigLoader();
      try {
        loader.load(cl.checkConfig().get());
        System.out.println(cl.checkConfig().get() + ": OK");
        return 0;
      } catch (InvalidInputException e) {
        printProblems(cl.checkConfig().get().toString(), e);
        return 2;
      }
    }
    // DHCP first, from the start-up snapshot, before the configuration is parsed and the store opened.
    EarlyDhcp early = cl.importCommand().isPresent() || cl.resetAdminToken()
        ? EarlyDhcp.none(new byte[0], "not serving") : EarlyDhcp.tryStart(args, cl, Clock.systemUTC());
    ConfigLoader loader = new ConfigLoader();
    AnvilConfig config;
    try {
      config = cl.config().map(loader::load).orElseGet(loader::embeddedDefault);
    } catch (InvalidInputException e) {
      early.discard();
      early.close();
      printProblems(cl.config().map(Object::toString).orElse("embedded default"), e);
      return 2;
    }
    if (cl.stateDir().isPresent()) {
      config = config.withStateDir(cl.stateDir().get());
    }
    if (cl.httpListen().isPresent()) {
      config = config.withHttpListen(cl.httpListen().get());
    }
    if (cl.apiListen().isPresent()) {
      config = config.withApiListen(cl.apiListen().get());
    }
    List<Violation> overlap = new ArrayList<>();
    ConfigLoader.checkSeparate(config.api().listen(), config.http().listen(), overlap);
    if (!overlap.isEmpty()) {
      early.discard();
      early.close();
      printProblems("flags", new InvalidInputException(overlap));
      return 2;
    }
    if (cl.importCommand().isPresent()) {
      return importTree(config, cl.importCommand().get());
    }
    if (cl.resetAdminToken()) {
      return resetAdminToken(config);
    }
    return serve(config, early);
  }

  /** {@code anvild reset-admin-token}: needs the store, so the daemon must be stopped (H2 holds a file lock). */
  private static int resetAdminToken(AnvilConfig config) {
    try (Store store = H2Store.open(config.stateDir())) {
      ApiTokens tokens = new ApiTokens(store.apiTokens(), Clock.systemUTC(), new SecureRandom());
      Path file = tokens.resetAdminToken(config.stateDir());
      System.out.println("every admin token revoked; a new one is in " + file.toAbsolutePath().normalize());
      return 0;
    } catch (RuntimeException e) {
      System.err.println("anvild reset-admin-token: " + e.getMessage() + " (is anvild running? stop it first)");
      return 1;
    }
  }

  /** {@code anvild import OS SOURCE}: works on the files alone; a running daemon serves the new tree at once. */
  private static int importTree(AnvilConfig config, CommandLine.ImportCommand cmd) {
    OsTrees trees = new OsTrees(config.http().installRootIn(config.stateDir()), config.bootEnvironments());
    try {
      long t0 = System.nanoTime();
      OsTrees.Imported i = trees.importTree(cmd.os(), cmd.source());
      System.out.printf("imported %s: %d files, %d bytes into %s with %s in %.1f s%n", i.os(), i.files(), i.bytes(),
          i.tree(), i.tool(), (System.nanoTime() - t0) / 1e9);
      return 0;
    } catch (InvalidInputException | dev.anvil.core.NotFoundException | dev.anvil.core.ConflictException e) {
      System.err.println("anvild import: " + e.getMessage());
      return 2;
    }
  }

  private static int serve(AnvilConfig config, EarlyDhcp early) {
    Anvild daemon;
    try {
      daemon = new Anvild(config, Clock.systemUTC(), new SecureRandom(), early);
    } catch (RuntimeException e) {
      early.discard();
      early.close();
      log.error("anvild failed to start: {}", e.getMessage(), e);
      return 1;
    }
    try {
      daemon.start();
    } catch (Exception e) {
      log.error("anvild failed to start: {}", e.getMessage(), e);
      daemon.close();
      return 1;
    }
    // Everything built so far (the node index included) lives as long as the daemon: one full collection
    // moves it out of the young generation now, instead of copying it at every young collection until it
    // tenures (tens of milliseconds each with one GC thread: long enough to overflow a DHCP socket under a
    // boot storm). After the listeners opened, so DHCP is not kept waiting for it; the sockets' receive
    // buffers hold what arrives during the pause.
    daemon.directoryLoaded();
    System.gc();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping (signal)");
      daemon.close();
      stopped.countDown();
    }, "anvil-shutdown"));
    System.out.println("anvild " + version() + " ready: API at " + url(daemon.apiSecure() ? "https" : "http",
        daemon.apiAddress()) + "/api/v1/status, boot files at " + url("http", daemon.httpAddress()) + "/boot/ (state in " + config.stateDir().toAbsolutePath().normalize()
        + "; admin token in " + config.stateDir().resolve(ApiTokens.ADMIN_TOKEN_FILE).toAbsolutePath().normalize()
        + ")");
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static String url(String scheme, InetSocketAddress a) {
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1"
        : a.getAddress().getHostAddress().contains(":") ? "[" + a.getAddress().getHostAddress() + "]"
        : a.getAddress().getHostAddress();
    return scheme + "://" + host + ":" + a.getPort();
  }

  private static void printProblems(String source, InvalidInputException e) {
    System.err.println("anvild: invalid configuration (" + source + "):");
    for (Violation v : e.violations()) {
      System.err.println("  " + v);
    }
  }
}
