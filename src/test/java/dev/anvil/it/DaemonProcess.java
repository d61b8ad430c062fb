package dev.anvil.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real daemon, started from the built distribution ({@code target/anvil/bin/anvild}) as a child process. */
public final class DaemonProcess implements AutoCloseable {
    private static final Pattern READY =
            Pattern.compile("ready: API at (https?://\\S+)/api/v1/status, boot files at (http://\\S+)/boot/");

    private final Process process;
    private final Path log;
    private final URI base;
    private final URI bootBase;
    /** One client each, kept: see {@link Http}'s connection note. */
    private Http api;

    private String apiToken;
    private Http boot;
    private final Path stateDir;

    private DaemonProcess(Process process, Path log, URI base, URI bootBase, Path stateDir) {
        this.process = process;
        this.log = log;
        this.base = base;
        this.bootBase = bootBase;
        this.stateDir = stateDir;
    }

    public static Path launcher() {
        Path p = Path.of(System.getProperty("anvil.dist", "target/anvil"), "bin", "anvild");
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(p + " is missing: integration tests run after `mvn package`");
        }
        return p;
    }

    /**
     * Starts anvild with the state dir and boot listen address given (the admin API on 127.0.0.1, a free port,
     * unless {@code extra} names {@code --api-listen}), plus extra flags; waits for its ready line. A boot listen
     * address with port 0 is given a free port here: anvild refuses port 0 for the boot listener, whose port goes
     * into the URLs machines are handed.
     */
    public static DaemonProcess start(Path stateDir, String listen, String... extra) throws IOException {
        return start(List.of(), stateDir, listen, extra);
    }

    /** As {@link #start(Path, String, String...)}, run behind a command prefix such as {@code ip netns exec NS}. */
    public static DaemonProcess start(List<String> prefix, Path stateDir, String listen, String... extra)
            throws IOException {
        return start(prefix, launcher(), stateDir, listen, extra);
    }

    /** As {@link #start(List, Path, String, String...)} with another launcher (the installed package's). */
    public static DaemonProcess start(List<String> prefix, Path launcher, Path stateDir, String listen, String... extra)
            throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        if (listen.endsWith(":0")) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                listen = listen.substring(0, listen.length() - 1) + s.getLocalPort();
            }
        }
        cmd.addAll(List.of(launcher.toString(), "--state-dir", stateDir.toString(), "--http-listen", listen));
        if (!List.of(extra).contains("--api-listen")) {
            cmd.addAll(List.of("--api-listen", "127.0.0.1:0"));
        }
        cmd.addAll(List.of(extra));
        Files.createDirectories(stateDir);
        Path log = Files.createTempFile(stateDir.getParent(), "anvild-", ".log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            lines.add(line);
                        }
                    } catch (IOException ignored) {
                        // the process ended
                    }
                },
                "anvild-stdout");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line;
            try {
                line = lines.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (line != null) {
                Matcher m = READY.matcher(line);
                if (m.find()) {
                    return new DaemonProcess(p, log, URI.create(m.group(1)), URI.create(m.group(2)), stateDir);
                }
            } else if (!p.isAlive()) {
                break;
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("anvild did not become ready (exit " + (p.isAlive() ? "none" : p.exitValue())
                + "); its log:\n" + Files.readString(log));
    }

    /** The admin API's base URI. */
    public URI base() {
        return base;
    }

    /** A URI on the admin API. */
    public URI uri(String path) {
        return base.resolve(path);
    }

    /** The boot listener's base URI (files, per-node files, node-facing calls). */
    public URI bootBase() {
        return bootBase;
    }

    /** A URI on the boot listener. */
    public URI bootUri(String path) {
        return bootBase.resolve(path);
    }

    /** The admin API's port. */
    public int port() {
        return base.getPort();
    }

    /** The admin token the daemon wrote on its first start. */
    public String adminToken() throws IOException {
        return Files.readString(stateDir.resolve("admin-token")).trim();
    }

    /** A client of the admin API with the admin token. */
    public synchronized Http api() throws IOException {
        String token = adminToken();
        if (api == null || !token.equals(apiToken)) {
            api = new Http(base, token);
            apiToken = token;
        }
        return api;
    }

    /** A client of the boot listener (no token: what any machine on the boot network can send). */
    public synchronized Http boot() {
        if (boot == null) {
            boot = new Http(bootBase);
        }
        return boot;
    }

    /** curl arguments that send the admin token. */
    public String[] auth() throws IOException {
        return new String[] {"-H", "Authorization: Bearer " + adminToken()};
    }

    /** The daemon's process id (the launcher execs the JVM), e.g. to count its open files in /proc. */
    public long pid() {
        return process.pid();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGTERM and wait; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("anvild did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: the process gets no chance to flush or close anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
