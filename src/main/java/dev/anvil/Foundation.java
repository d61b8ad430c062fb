package dev.anvil;

import dev.anvil.app.ConfiguredNetworks;
import dev.anvil.app.NodeSync;
import dev.anvil.config.AnvilConfig;
import dev.anvil.config.StoreConfig;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.core.net.UlaPrefix;
import dev.anvil.core.node.NodeDirectory;
import dev.anvil.core.node.NodeEvents;
import dev.anvil.dhcp.snapshot.DhcpSnapshot;
import dev.anvil.dhcp.snapshot.SnapshotKeeper;
import dev.anvil.store.LeaseStore;
import dev.anvil.store.NodeQuery;
import dev.anvil.store.Store;
import dev.anvil.store.StoreException;
import dev.anvil.store.h2.H2Store;
import dev.anvil.store.journal.JournalLeaseStore;
import dev.anvil.store.pg.PgNodeListener;
import dev.anvil.store.pg.PgStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every part of the daemon stands on, opened in order: the state directory's lock, the store, the
 * start-up snapshot's keeper, the ULA prefix, the lease journal, the node events, the node directory and the
 * network catalog. When {@link EarlyDhcp} answered from the start-up snapshot and the configuration and store
 * agree with it, its lease journal, directory and catalog are taken over here; otherwise it is discarded and
 * they are opened afresh. Part of {@link Anvild}'s wiring.
 */
final class Foundation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Foundation.class);
    static final String ULA_KEY = "ula.global-id";

    final Store store;
    final SnapshotKeeper snapshots;
    final Addressing addressing;
    final LeaseStore leases;
    final NodeEvents events = new NodeEvents();
    final NodeDirectory directory;
    final NetworkCatalog catalog;
    /** Whether DHCP goes on from the early server (and its lease journal, directory and catalog). */
    final boolean fromSnapshot;

    private final AnvilConfig config;
    private final EarlyDhcp early;
    private final FileChannel lock;

    /** Opens it all; on failure closes what it opened (the early server included) and throws. */
    Foundation(AnvilConfig config, RandomGenerator random, EarlyDhcp early) {
        this.config = config;
        this.early = early;
        try {
            Optional<FileChannel> held = early.lockFor(config.stateDir());
            this.lock = held.isPresent() ? held.get() : EarlyDhcp.lock(config.stateDir());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot lock the state directory " + config.stateDir() + ": " + e.getMessage(), e);
        }
        boolean adopted = false;
        LeaseStore leaseStore = null;
        Store opened = null;
        try {
            opened = openStore(config);
            this.store = opened;
            // Exact whenever it exists: every node and network write is bracketed by it (see SnapshotKeeper).
            // Not on a store several instances share: their node changes never pass here (doc/scale-out.md).
            this.snapshots = new SnapshotKeeper(
                    config.stateDir(), this::snapshotNow, opened.sharedLeases().isEmpty());
            this.addressing = new Addressing(UlaPrefix.parseGlobalId(
                    store.meta().getOrInit(ULA_KEY, () -> UlaPrefix.formatGlobalId(UlaPrefix.newGlobalId(random)))));
            putConfiguredNetworks();
            List<Network> storeNetworks = store.networks().list();
            adopted = adoptEarly(storeNetworks);
            this.fromSnapshot = adopted;
            leaseStore = adopted ? early.leases() : JournalLeaseStore.open(config.stateDir());
            this.leases = leaseStore;
            // Filled in the background by start(): DHCP answers from its first packet (asking the store by MAC until
            // the index is loaded) instead of after a full-table read.
            Store s = store;
            if (adopted) {
                this.directory = early.directory();
                directory.beforeLoadAsk(mac -> s.nodes().findByMac(mac), events::version);
                this.catalog = early.catalog();
                catalog.refresh(() -> storeNetworks);
            } else {
                this.directory = NodeDirectory.deferred(mac -> s.nodes().findByMac(mac), events::version);
                this.catalog = new NetworkCatalog(storeNetworks);
            }
            events.subscribe(directory);
            createDirectories(config);
        } catch (RuntimeException e) {
            if (adopted) {
                early.discard();
            } else if (leaseStore != null) {
                leaseStore.close();
            }
            if (opened != null) {
                opened.close();
            }
            closeLock(lock);
            throw e;
        }
    }

    /**
     * The store the configuration names: the embedded H2 database in the state directory, or PostgreSQL (its
     * password read from {@code passwordFile}, first line).
     */
    static Store openStore(AnvilConfig config) {
        if (config.store() instanceof StoreConfig.Postgresql pg) {
            return openPostgresql(pg);
        }
        return H2Store.open(config.stateDir());
    }

    /**
     * On a PostgreSQL store, which other instances may share: the listener that brings their node changes into
     * this one's directory and subscribers, and their DNS record changes through {@code recordsSync}
     * (doc/scale-out.md), a service; none on H2 (one instance).
     */
    Optional<PgNodeListener> nodeListener(java.util.function.IntSupplier recordsSync) {
        if (!(config.store() instanceof StoreConfig.Postgresql pg)) {
            return Optional.empty();
        }
        return Optional.of(new PgNodeListener(
                pg.url(),
                pg.user(),
                password(pg),
                new NodeSync(store.nodes(), directory, events, snapshots),
                recordsSync,
                pg.resync()));
    }

    /** The PostgreSQL store of {@code store:}. */
    static PgStore openPostgresql(StoreConfig.Postgresql pg) {
        return PgStore.open(pg.url(), pg.user(), password(pg), pg.poolSize());
    }

    private static Optional<String> password(StoreConfig.Postgresql pg) {
        if (pg.passwordFile().isEmpty()) {
            return Optional.empty();
        }
        Path file = pg.passwordFile().get();
        try {
            return Optional.of(Files.readAllLines(file).stream().findFirst().orElse(""));
        } catch (IOException e) {
            throw new StoreException("cannot read store.passwordFile " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The configured networks into the store. Started from the snapshot, its fingerprint says they are the ones it
     * holds, so these puts change nothing (and the snapshot stays for a crash before it is rewritten); otherwise
     * they may, and a snapshot left by another configuration goes first.
     */
    private void putConfiguredNetworks() {
        if (!early.running()) {
            snapshots.begin();
        }
        try {
            ConfiguredNetworks.apply(config.networks(), store.networks(), store.meta());
        } finally {
            if (!early.running()) {
                snapshots.end();
            }
        }
    }

    private boolean adoptEarly(List<Network> storeNetworks) {
        boolean adopted = false;
        if (early.running() && store.sharedLeases().isPresent()) {
            // A snapshot from before the store was shared: its pools must be claimed first (doc/scale-out.md).
            log.warn("the start-up snapshot is not used on a store several instances share; DHCP starts once the "
                    + "store is open");
            early.discard();
            snapshots.begin(); // removes it
            snapshots.end();
        } else if (early.running()) {
            Optional<String> differs = early.mismatch(config, storeNetworks);
            if (differs.isPresent()) {
                log.error(
                        "the start-up snapshot disagrees with the configuration or store ({}); DHCP restarts from the "
                                + "store",
                        differs.get());
                early.discard();
                snapshots.begin(); // removes it
                snapshots.end();
            } else {
                adopted = true;
            }
        }
        log.info("{}", early.outcome());
        return adopted;
    }

    /** The TFTP root with its upload directories, the install root and the first import root. */
    private static void createDirectories(AnvilConfig config) {
        List<Path> dirs = new java.util.ArrayList<>(List.of(
                config.http().installRootIn(config.stateDir()),
                config.tftp().rootIn(config.stateDir()),
                config.install().importRootsIn(config.stateDir()).get(0)));
        if (config.tftp().enabled()) {
            config.tftp()
                    .uploadDirs()
                    .forEach(up ->
                            dirs.add(config.tftp().rootIn(config.stateDir()).resolve(up)));
        }
        for (Path p : dirs) {
            try {
                Files.createDirectories(p);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create " + p + ": " + e.getMessage(), e);
            }
        }
    }

    /** The early DHCP server when it goes on. */
    Optional<dev.anvil.dhcp.server.DhcpServer> earlyServer() {
        return fromSnapshot ? Optional.of(early.server()) : Optional.empty();
    }

    /** Loads the node directory in the background, then lets the snapshot keeper write. */
    void startLoading() {
        Thread load = new Thread(
                () -> {
                    try {
                        long t0 = System.nanoTime();
                        directory.load(() -> store.nodes().list(NodeQuery.all()));
                        log.info(
                                "node directory loaded: {} nodes in {} ms",
                                directory.size(),
                                (System.nanoTime() - t0) / 1_000_000);
                        snapshots.start();
                    } catch (RuntimeException e) {
                        log.error("cannot load the nodes: {}", e.getMessage(), e);
                        directory.failed(e);
                    }
                },
                "anvil-directory-load");
        load.setDaemon(true);
        load.start();
    }

    /** Runs {@code task} on a thread of its own once the node directory has loaded. */
    void afterLoad(String name, Runnable task) {
        Thread t = new Thread(
                () -> {
                    directory.size(); // waits for the load
                    task.run();
                },
                name);
        t.setDaemon(true);
        t.start();
    }

    /** What DHCP needs to answer the next start before the store is open (written by {@link SnapshotKeeper}). */
    private DhcpSnapshot snapshotNow() {
        return new DhcpSnapshot(
                early.fingerprint(),
                config.stateDir().toAbsolutePath().normalize(),
                config.dhcp(),
                config.http().listen().port(),
                config.bootEnvironments().all().stream()
                        .map(b -> DhcpSnapshot.dhcpView(b.name(), b.localBoot()))
                        .toList(),
                store.networks().list(),
                List.copyOf(directory.all()));
    }

    /** Closes it all when the daemon could not be built: the early server, if taken over, stops too. */
    void abandon() {
        if (fromSnapshot) {
            early.discard();
        }
        close();
    }

    @Override
    public void close() {
        snapshots.close();
        leases.close();
        store.close();
        closeLock(lock);
    }

    private static void closeLock(FileChannel lock) {
        try {
            lock.close();
        } catch (IOException e) {
            log.warn("cannot release the state directory lock: {}", e.getMessage());
        }
    }
}
