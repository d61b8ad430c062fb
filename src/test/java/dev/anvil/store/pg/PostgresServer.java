package dev.anvil.store.pg;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: Debian's {@code postgresql} package's {@code initdb} makes a cluster in a
 * temp directory and {@code pg_ctl} starts it on 127.0.0.1 at a free high port, as the {@code postgres} system
 * user when the test runs as root (the server refuses root). The superuser {@code anvil} logs in over TCP with
 * a password (scram-sha-256); {@link #createDatabase} gives each test its own empty database. One server per
 * test class: {@link #close} stops it and deletes the cluster.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "anvil";
    public static final String PASSWORD = "anvil-test-password";

    private final Path dir;
    private final Path bin;
    private final int port;
    private final boolean asPostgres;
    private final Map<Path, String> byDir = new HashMap<>();
    private int databases;

    private PostgresServer(Path dir, Path bin, int port, boolean asPostgres) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** initdb + start; fails with what to install when Debian's postgresql package is missing. */
    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binDir();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("anvil-pg-");
        PostgresServer s = new PostgresServer(dir, bin, freePort(), root);
        try {
            Path pw = dir.resolve("pwfile");
            Files.writeString(pw, PASSWORD + "\n", StandardCharsets.UTF_8);
            if (root) {
                s.run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
            }
            s.run(
                    List.of(
                            bin.resolve("initdb").toString(),
                            "-D",
                            dir.resolve("data").toString(),
                            "-U",
                            USER,
                            "--pwfile=" + pw,
                            "--auth-local=trust",
                            "--auth-host=scram-sha-256",
                            "-E",
                            "UTF8",
                            "--locale=C",
                            "--no-sync"),
                    root);
            s.startServer();
            return s;
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.deleteDir();
            throw e;
        }
    }

    /** Starts the server on its data directory again (after {@link #stopServer}): the same port, the same data. */
    public void startServer() throws IOException, InterruptedException {
        pgCtl(
                "-l",
                dir.resolve("server.log").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off "
                        + "-c full_page_writes=off -c max_connections=100",
                "start");
    }

    /** Stops the server (fast shutdown: open connections are cut), keeping its data: an outage. */
    public void stopServer() throws IOException, InterruptedException {
        pgCtl("-m", "fast", "-w", "stop");
    }

    private void pgCtl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString()));
        cmd.addAll(List.of(args));
        run(cmd, asPostgres);
    }

    private static Path binDir() {
        Path base = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(
                            b -> Integer.parseInt(b.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("no initdb under " + base));
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new IllegalStateException(
                    "PostgreSQL server binaries not found (" + e.getMessage() + "): apt-get install postgresql", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of {@code database} on this server. */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /**
     * The store opened on the database that stands for the state directory {@code dir} (created empty the first
     * time): a test that closes its store and opens {@code dir} again finds its data, as on H2.
     */
    public PgStore open(Path dir, int poolSize) {
        String url;
        synchronized (this) {
            url = byDir.get(dir);
            if (url == null) {
                try {
                    url = createDatabase();
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot create a database: " + e.getMessage(), e);
                }
                byDir.put(dir, url);
            }
        }
        return PgStore.open(url, USER, Optional.of(PASSWORD), poolSize);
    }

    /** A new empty database (as {@code anvil}); returns its JDBC URL. */
    public synchronized String createDatabase() throws SQLException {
        String name = "anvil_test_" + (++databases);
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        return DriverManager.getConnection(url(database), p);
    }

    /** Stops the server (fast shutdown) and deletes the cluster. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(dir.resolve("data").resolve("postmaster.pid"))) {
                stopServer();
            }
        } finally {
            deleteDir();
        }
    }

    private void deleteDir() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void run(List<String> command, boolean asPostgresUser) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Path out = Files.createTempFile("anvil-pg-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .directory(Path.of("/").toFile())
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                String log = Files.readString(out);
                Path server = dir.resolve("server.log");
                if (Files.isReadable(server)) {
                    log += "\nserver.log:\n" + Files.readString(server);
                }
                throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + log);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
