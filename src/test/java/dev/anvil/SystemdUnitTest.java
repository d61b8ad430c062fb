package dev.anvil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the shipped systemd unit (systemd/anvild.service). */
class SystemdUnitTest {

    private static final Path UNIT = Path.of("systemd/anvild.service");
    private static final Path LAUNCHER = Path.of("src/main/dist/bin/anvild");
    private static final String UNIT_NAME = "anvild.service";

    /**
     * Runs {@code systemd-analyze verify --root=<root> <root>/etc/systemd/system/anvild.service}
     * against a fake root holding the launcher at its installed path. With --root (systemd 250+)
     * the ExecStart=/ExecStartPre= paths are resolved inside the root, so a wrong path fails with
     * "Command ... is not executable". Unknown keys and bad values only produce warnings
     * ("<file>:<line>: Unknown key ...") with exit code 0, so any output line naming the unit
     * fails the test too; a clean unit produces no output at all.
     */
    @Test
    void systemdAnalyzeVerifyAcceptsUnit(@TempDir Path root) throws Exception {
        String analyze = findOnPath("systemd-analyze");
        if (analyze == null) {
            fail("systemd-analyze not found on PATH; install it with `apt-get install systemd`"
                    + " (CI installs it). This test must not be skipped.");
        }

        Path launcher = root.resolve("usr/share/anvil/bin/anvild");
        Files.createDirectories(launcher.getParent());
        Files.copy(LAUNCHER, launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path unit = root.resolve("etc/systemd/system/" + UNIT_NAME);
        Files.createDirectories(unit.getParent());
        Files.copy(UNIT, unit);

        // The empty root has no standard units; without sysinit.target (pulled in by default
        // dependencies) verify aborts before checking the Exec paths. Stub the targets we touch.
        Path unitDir = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
        for (String target : List.of("sysinit", "basic", "shutdown", "network-online", "multi-user")) {
            Files.writeString(unitDir.resolve(target + ".target"), "[Unit]\nDescription=stub\n");
        }

        Path log = root.resolve("verify.log");
        ProcessBuilder pb = new ProcessBuilder(analyze, "verify", "--root=" + root, unit.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("SYSTEMD_LOG_LEVEL", "info"); // debug output would name the unit
        pb.environment().put("SYSTEMD_LOG_COLOR", "0");
        pb.environment().put("SYSTEMD_PAGER", "cat");
        Process process = pb.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("systemd-analyze verify did not finish within 60 s");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        String command = String.join(" ", pb.command());

        assertEquals(0, process.exitValue(), () -> command + " exited with " + process.exitValue() + ":\n" + output);
        // Lines about other units (none seen with systemd 252) are tolerated.
        List<String> problems =
                output.lines().filter(line -> line.contains(UNIT_NAME)).toList();
        assertTrue(
                problems.isEmpty(),
                () -> command + " reported problems with the unit:\n" + String.join("\n", problems));
    }

    @Test
    void unitHasRequiredDirectives() throws IOException {
        List<String> lines = directives();

        assertTrue(lines.contains("User=anvil"), "User=anvil");
        assertTrue(lines.contains("Group=anvil"), "Group=anvil");
        assertFalse(lines.stream().anyMatch(l -> l.matches("(User|Group)=(root|0)")), "must not run as root");
        assertTrue(
                hasValueWith(lines, "AmbientCapabilities=", "CAP_NET_BIND_SERVICE"),
                "AmbientCapabilities with CAP_NET_BIND_SERVICE");
        assertTrue(
                hasValueWith(lines, "AmbientCapabilities=", "CAP_NET_RAW"),
                "AmbientCapabilities with CAP_NET_RAW (DHCP's SO_BINDTODEVICE; radvd's ICMPv6 socket, inherited)");
        assertTrue(
                hasValueWith(lines, "CapabilityBoundingSet=", "CAP_NET_BIND_SERVICE"),
                "CapabilityBoundingSet with CAP_NET_BIND_SERVICE");
        for (String required : List.of(
                "StateDirectory=anvil",
                "ConfigurationDirectory=anvil",
                "ProtectSystem=strict",
                "NoNewPrivileges=yes",
                "Restart=on-failure",
                "SuccessExitStatus=143")) {
            assertTrue(lines.contains(required), required);
        }
        assertTrue(
                lines.stream().anyMatch(l -> l.startsWith("ExecStart=/usr/share/anvil/bin/anvild ")),
                "ExecStart runs /usr/share/anvil/bin/anvild");
        assertFalse(
                lines.stream().anyMatch(l -> l.startsWith("MemoryDenyWriteExecute=")),
                "MemoryDenyWriteExecute breaks the JVM JIT");
    }

    /** Non-comment, non-blank lines of the unit, trimmed. */
    private static List<String> directives() throws IOException {
        try (Stream<String> s = Files.lines(UNIT)) {
            return s.map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith(";"))
                    .toList();
        }
    }

    private static boolean hasValueWith(List<String> lines, String key, String token) {
        return lines.stream()
                .filter(l -> l.startsWith(key))
                .flatMap(l -> Stream.of(l.substring(key.length()).split("\\s+")))
                .anyMatch(token::equals);
    }

    private static String findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
