package dev.anvil.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OpenSSH {@code sshd} for a test, on 127.0.0.1 at a free high port, configured from files in a temp
 * dir: its host key, an authorized_keys, public-key login only, its log in {@code sshd.log}. Tests that need
 * one are skipped (loudly) only when sshd is not installed (Debian package openssh-server).
 */
final class OpenSshServer implements AutoCloseable {
    static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Process process;
    private final int port;
    private final Path log;

    private OpenSshServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Skips the calling test unless sshd is installed, saying so on stderr. */
    static void assumeInstalled(String test, String what) {
        if (!Files.isExecutable(SSHD)) {
            System.err.println("*** " + test + " SKIPPED: " + SSHD + " is not installed (apt-get install "
                    + "openssh-server): " + what + " is NOT tested against a real sshd ***");
        }
        Assumptions.assumeTrue(Files.isExecutable(SSHD), SSHD + " not installed (Debian package openssh-server)");
    }

    /** A new ed25519 key pair {@code dir/<name>_ed25519_key} (and {@code .pub}); returns the private key's path. */
    static Path keygen(Path dir, String name) throws Exception {
        Path key = dir.resolve(name + "_ed25519_key");
        exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()));
        return key;
    }

    /** Starts sshd with {@code hostKey}, letting in the keys of {@code authorizedKeys}; returns once it listens. */
    static OpenSshServer start(Path dir, Path hostKey, Path authorizedKeys) throws Exception {
        if ("root".equals(System.getProperty("user.name"))) {
            Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("sshd_config");
        Files.writeString(
                cfg,
                String.join(
                        "\n",
                        "Port " + port,
                        "ListenAddress 127.0.0.1",
                        "HostKey " + hostKey,
                        "AuthorizedKeysFile " + authorizedKeys,
                        "PidFile " + dir.resolve("sshd.pid"),
                        "StrictModes no",
                        "UsePAM no",
                        "PasswordAuthentication no",
                        "KbdInteractiveAuthentication no",
                        "PubkeyAuthentication yes",
                        "PermitRootLogin prohibit-password",
                        "LogLevel VERBOSE",
                        ""));
        Path log = dir.resolve("sshd.log");
        Process sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new OpenSshServer(sshd, port, log);
            } catch (IOException notYet) {
                if (!sshd.isAlive() || System.nanoTime() > end) {
                    sshd.destroyForcibly();
                    throw new AssertionError("sshd did not start: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
    }

    int port() {
        return port;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static void exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), cmd + " timed out");
        assertEquals(0, p.exitValue(), cmd + ": " + out);
    }
}
