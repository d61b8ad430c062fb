package dev.anvil;

import dev.anvil.auth.ApiTokens;
import dev.anvil.config.AnvilConfig;
import dev.anvil.config.CommandLine;
import dev.anvil.config.ConfigLoader;
import dev.anvil.config.StoreConfig;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import dev.anvil.os.OsTrees;
import dev.anvil.store.Store;
import dev.anvil.store.h2.H2Store;
import dev.anvil.store.pg.PgStore;
import dev.anvil.store.sql.StoreCopy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code anvild}'s entry point: parses the flags, runs a sub-command ({@code --check-config}, {@code import},
 * {@code reset-admin-token}) or serves: DHCP from the start-up snapshot first ({@link EarlyDhcp}), then the
 * configuration, then the daemon ({@link Anvild}) until a signal stops it.
 */
public final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);

    private Launcher() {}

    static String version() {
        try (InputStream in = Launcher.class.getClassLoader().getResourceAsStream("anvil/version.properties")) {
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
        EarlyDhcp early = cl.importCommand().isPresent() || cl.resetAdminToken() || cl.migrateStore()
                ? EarlyDhcp.none(new byte[0], "not serving")
                : EarlyDhcp.tryStart(args, cl, Clock.systemUTC());
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
        if (cl.migrateStore()) {
            return migrateStore(config);
        }
        return serve(config, early);
    }

    /** {@code anvild reset-admin-token}: needs the store, so the daemon must be stopped (H2 holds a file lock). */
    private static int resetAdminToken(AnvilConfig config) {
        try (Store store = Foundation.openStore(config)) {
            ApiTokens tokens = new ApiTokens(store.apiTokens(), Clock.systemUTC(), new SecureRandom());
            Path file = tokens.resetAdminToken(config.stateDir());
            System.out.println("every admin token revoked; a new one is in "
                    + file.toAbsolutePath().normalize());
            return 0;
        } catch (RuntimeException e) {
            System.err.println("anvild reset-admin-token: " + e.getMessage() + " (is anvild running? stop it first)");
            return 1;
        }
    }

    /**
     * {@code anvild migrate-store}: the H2 store of the state directory copied into the empty PostgreSQL database
     * the configuration's {@code store:} names, in one transaction, row counts and checksums verified
     * (doc/postgresql.md).
     */
    private static int migrateStore(AnvilConfig config) {
        if (!(config.store() instanceof StoreConfig.Postgresql pg)) {
            System.err.println("anvild migrate-store: the configuration's store is h2; point store: at the "
                    + "PostgreSQL database to copy into (kind: postgresql, url, user, passwordFile)");
            return 2;
        }
        Path file = config.stateDir().resolve("anvil.mv.db");
        if (!Files.isRegularFile(file)) {
            System.err.println("anvild migrate-store: no H2 store to copy: " + file + " does not exist");
            return 1;
        }
        long t0 = System.nanoTime();
        try (H2Store from = H2Store.open(config.stateDir());
                PgStore to = Foundation.openPostgresql(pg)) {
            Map<String, StoreCopy.Copied> copied = StoreCopy.copy(from, to);
            copied.forEach((table, c) ->
                    System.out.println("  " + table + ": " + c.rows() + " rows, checksum " + c.checksum()));
            System.out.println("copied " + file + " into " + pg.url() + " in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms (row counts and checksums verified); start anvild "
                    + "with this configuration");
            return 0;
        } catch (RuntimeException e) {
            System.err.println("anvild migrate-store: " + e.getMessage() + " (is anvild running? stop it first)");
            return 1;
        }
    }

    /** {@code anvild import OS SOURCE}: works on the files alone; a running daemon serves the new tree at once. */
    private static int importTree(AnvilConfig config, CommandLine.ImportCommand cmd) {
        OsTrees trees = new OsTrees(
                config.http().installRootIn(config.stateDir()),
                config.bootEnvironments(),
                config.install().importTimeout());
        try {
            long t0 = System.nanoTime();
            OsTrees.Imported i = trees.importTree(cmd.os(), cmd.source());
            System.out.printf(
                    "imported %s: %d files, %d bytes into %s with %s in %.1f s%n",
                    i.os(), i.files(), i.bytes(), i.tree(), i.tool(), (System.nanoTime() - t0) / 1e9);
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
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("stopping (signal)");
                            daemon.close();
                            stopped.countDown();
                        },
                        "anvil-shutdown"));
        System.out.println("anvild " + version() + " ready: API at "
                + url(daemon.apiSecure() ? "https" : "http", daemon.apiAddress()) + "/api/v1/status, boot files at "
                + url("http", daemon.httpAddress())
                + "/boot/ (state in " + config.stateDir().toAbsolutePath().normalize()
                + "; admin token in "
                + config.stateDir()
                        .resolve(ApiTokens.ADMIN_TOKEN_FILE)
                        .toAbsolutePath()
                        .normalize()
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
        String host = a.getAddress().isAnyLocalAddress()
                ? "127.0.0.1"
                : a.getAddress().getHostAddress().contains(":")
                        ? "[" + a.getAddress().getHostAddress() + "]"
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
