package dev.anvil.ra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The radvd executable and its files in {@code <stateDir>/radvd/}: the config (written, then checked with {@code
 * radvd --configtest}), the pid file (how a start is seen to have succeeded, and how a radvd left by an earlier
 * run is found), the command line, and a stop that leaves no process behind. {@link RadvdSupervisor} decides
 * when.
 */
final class Radvd {
    private static final Logger log = LoggerFactory.getLogger(Radvd.class);
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    final Path exe;
    final Path dir;
    final Path conf;
    final Path pidFile;

    Radvd(Path exe, Path dir) {
        this.exe = exe;
        this.dir = dir;
        this.conf = dir.resolve("radvd.conf");
        this.pidFile = dir.resolve("radvd.pid");
    }

    /** radvd in the foreground, logging to stderr, behind {@code setpriv --pdeathsig TERM} where there is one. */
    List<String> command() {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETPRIV)) {
            cmd.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "TERM", "--"));
        }
        cmd.addAll(List.of(
                exe.toString(),
                "--nodaemon",
                "--logmethod",
                "stderr",
                "--config",
                conf.toString(),
                "--pidfile",
                pidFile.toString()));
        return cmd;
    }

    /** Writes the config (temporary file, then rename) and asks radvd whether it takes it; empty when it does. */
    Optional<String> writeAndCheck(String t) {
        Path tmp = dir.resolve("radvd.conf.tmp");
        try {
            Files.writeString(tmp, t, StandardCharsets.UTF_8);
            Files.move(tmp, conf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            return Optional.of("cannot write " + conf + ": " + e.getMessage());
        }
        if (!Files.isExecutable(exe)) {
            return Optional.of(
                    exe + " is not installed (Debian package radvd; or set ra.radvd, or" + " ra.enabled: false)");
        }
        try {
            Process check = new ProcessBuilder(
                            exe.toString(), "--configtest", "--logmethod", "stderr", "--config", conf.toString())
                    .redirectErrorStream(true)
                    .start();
            check.getOutputStream().close();
            ChildOutput out = new ChildOutput(check.getInputStream(), s -> {});
            out.run(); // radvd --configtest prints a line or two and exits
            if (!check.waitFor(10, TimeUnit.SECONDS)) {
                check.destroyForcibly();
                return Optional.of("radvd --configtest did not finish in 10 s");
            }
            return check.exitValue() == 0
                    ? Optional.empty()
                    : Optional.of("radvd refuses " + conf + ": " + String.join(" | ", out.last()));
        } catch (IOException e) {
            return Optional.of("cannot run " + exe + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** True once radvd wrote its pid file (it has its socket then), false if it exited first; at most 5 s. */
    boolean awaitPidFile(Process proc) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            if (!proc.isAlive()) {
                return false;
            }
            try {
                if (Files.readString(pidFile).trim().equals(Long.toString(proc.pid()))) {
                    return true;
                }
            } catch (IOException e) {
                // not written yet
            }
            try {
                if (proc.waitFor(50, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return proc.isAlive();
    }

    static int waitExit(Process proc) {
        while (true) {
            try {
                return proc.waitFor();
            } catch (InterruptedException e) {
                // close() ends the process; keep waiting for it
            }
        }
    }

    /** A radvd a previous anvild left running on this config (killed without a chance to stop it) is stopped. */
    void killStale() throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        String pid = Files.readString(pidFile).trim();
        if (pid.matches("\\d{1,10}")) {
            Optional<ProcessHandle> old = ProcessHandle.of(Long.parseLong(pid))
                    .filter(h -> h.info().commandLine().orElse("").contains(conf.toString()));
            if (old.isPresent()) {
                log.warn("router advertisements: stopping radvd pid {} left by an earlier run", pid);
                stop(old.get());
            }
        }
        Files.deleteIfExists(pidFile);
    }

    /** SIGTERM, 3 s, SIGKILL; then the same for any child it left (radvd's privilege-separation helper). */
    static void stop(ProcessHandle h) {
        List<ProcessHandle> children = h.descendants().toList();
        h.destroy();
        try {
            h.onExit().get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
            h.onExit().completeOnTimeout(h, 2, TimeUnit.SECONDS).join();
        }
        for (ProcessHandle c : children) {
            c.onExit().completeOnTimeout(c, 1, TimeUnit.SECONDS).join();
            c.destroyForcibly();
        }
    }
}
