package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Debian package the build makes ({@code target/anvil_<version>-1_amd64.deb}, src/deb/build-deb.sh), installed
 * for real into this machine with {@code dpkg -i}, used, then removed and purged: its files, the {@code anvil} user
 * and state directory, the config check and a daemon run as that user, {@code systemd-analyze verify} on the
 * installed unit, the CLI from {@code /usr/bin}. Needs root and dpkg, and refuses to touch a machine where a
 * package {@code anvil} is installed already; the package is purged in {@code finally}, whatever failed.
 */
class DebPackageIT {
    private static final String UNIT = "/lib/systemd/system/anvild.service";
    private static final String WANTS = "/etc/systemd/system/multi-user.target.wants/anvild.service";

    /** The maintainer scripts and the build script, through shellcheck (CI installs it). */
    @Test
    void packageScriptsAreShellcheckClean() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "--severity=style"));
        for (String f : List.of("build-deb.sh", "postinst", "prerm", "postrm")) {
            cmd.add("src/deb/" + f);
        }
        Netns.Result r;
        try {
            r = Netns.exec(cmd, 60);
        } catch (IOException e) {
            fail("shellcheck not found: apt-get install shellcheck (.ci/run installs it); " + e.getMessage());
            return;
        }
        assertEquals(0, r.code(), r.output());
    }

    @Test
    void installsVerifiesRunsRemovesAndPurges() throws Exception {
        Assumptions.assumeTrue(
                "0".equals(run("id", "-u").output().strip()),
                "DebPackageIT SKIPPED: dpkg -i needs root (.ci/run runs as root)");
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/dpkg")), "DebPackageIT SKIPPED: no dpkg (not Debian)");
        Path deb = Path.of(
                System.getProperty("anvil.dist", "target/anvil"),
                "..",
                "anvil_" + System.getProperty("anvil.version", "0.1.0-SNAPSHOT").replace('-', '~') + "-1_amd64.deb");
        Assumptions.assumeTrue(
                Files.isRegularFile(deb), "DebPackageIT SKIPPED: " + deb + " missing (built with -Danvil.deb.skip?)");
        // Purging would delete an operator's state and config: only on a machine that has neither.
        Assumptions.assumeTrue(
                installedStatus().isEmpty()
                        && !Files.exists(Path.of("/var/lib/anvil"))
                        && !Files.exists(Path.of("/etc/anvil")),
                "DebPackageIT SKIPPED: package anvil, /var/lib/anvil or /etc/anvil present already; not touching them");

        Path tmp = Files.createTempDirectory("anvil-deb-it");
        try {
            must("dpkg", "-i", deb.toString());
            assertEquals("install ok installed", installedStatus());
            checkInstalledFiles();
            checkConfigAndUnit();
            runDaemonAsAnvil(tmp);

            // Installed again (the steps of an upgrade: prerm upgrade, then postinst configure OLD-VERSION): the
            // edited conffile and the state stay, the CDS archive of the old jars goes, the unit stays enabled.
            Path conf = Path.of("/etc/anvil/anvil.yaml");
            Path jsa = Path.of("/usr/share/anvil/lib/anvil.jsa");
            Path cliJsa = Path.of("/usr/share/anvil/lib/anvil-cli.jsa");
            Path stateFile = Path.of("/var/lib/anvil/kept");
            Files.writeString(conf, Files.readString(conf) + "# edited here\n");
            Files.writeString(stateFile, "state");
            Files.writeString(jsa, "made by anvild-cds-archive for the old jars");
            Files.writeString(cliJsa, "made by anvild-cds-archive for the old jars");
            must("dpkg", "-i", deb.toString());
            assertEquals("install ok installed", installedStatus());
            assertTrue(Files.readString(conf).endsWith("# edited here\n"), "the operator's edit survives");
            assertTrue(Files.exists(stateFile), "the state survives a reinstall");
            assertFalse(Files.exists(jsa), "prerm upgrade drops the CDS archive of the old jars");
            assertFalse(Files.exists(cliJsa), "prerm upgrade drops the CLI's CDS archive of the old jars");
            checkInstalledFiles();

            // anvild-cds-archive would write this; prerm must remove it, or dpkg could not remove lib/.
            Files.writeString(jsa, "made by anvild-cds-archive");
            Files.writeString(cliJsa, "made by anvild-cds-archive");
            must("dpkg", "-r", "anvil");
            assertEquals("deinstall ok config-files", installedStatus());
            for (String gone : List.of("/usr/share/anvil", "/usr/bin/anvild", "/usr/bin/anvil", UNIT)) {
                assertFalse(Files.exists(Path.of(gone), LinkOption.NOFOLLOW_LINKS), gone + " after dpkg -r");
            }
            for (String kept : List.of("/etc/anvil/anvil.yaml", "/var/lib/anvil")) {
                assertTrue(Files.exists(Path.of(kept)), kept + " must survive dpkg -r (conffile, state)");
            }

            must("dpkg", "-P", "anvil");
            assertEquals("", installedStatus());
            for (String gone : List.of("/etc/anvil", "/var/lib/anvil", WANTS, "/etc/systemd/system/anvild.service")) {
                assertFalse(Files.exists(Path.of(gone), LinkOption.NOFOLLOW_LINKS), gone + " after dpkg -P");
            }
        } finally {
            if (!installedStatus().isEmpty()) {
                run("dpkg", "-P", "anvil");
            }
            // Neither existed before (checked above): whatever a failed purge left goes, so the next run can run.
            deleteTree(Path.of("/var/lib/anvil"));
            deleteTree(Path.of("/etc/anvil"));
            deleteTree(tmp);
        }
    }

    private static void checkInstalledFiles() throws Exception {
        for (String exe : List.of(
                "/usr/bin/anvild", "/usr/bin/anvil", "/usr/share/anvil/bin/anvild", "/usr/share/anvil/bin/anvil")) {
            assertTrue(Files.isExecutable(Path.of(exe)), exe);
        }
        for (String f : List.of(
                UNIT,
                "/usr/lib/sysusers.d/anvil.conf",
                "/etc/anvil/anvil.yaml",
                "/usr/share/doc/anvil/copyright",
                "/usr/share/doc/anvil/changelog.Debian.gz",
                "/usr/share/doc/anvil/operator-guide.md",
                "/usr/share/man/man8/anvild.8.gz",
                "/usr/share/man/man1/anvil.1.gz",
                "/usr/share/bash-completion/completions/anvil")) {
            assertTrue(Files.isRegularFile(Path.of(f)), f);
        }
        try (Stream<Path> jars = Files.list(Path.of("/usr/share/anvil/lib"))) {
            List<String> names =
                    jars.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().anyMatch(n -> n.matches("anvil-.*\\.jar")), names.toString());
            assertFalse(names.contains("anvil.jsa"), "the build's CDS archive never matches /usr/share/anvil");
            assertFalse(names.contains("anvil-cli.jsa"), "nor the CLI's");
        }
        assertTrue(
                run("dpkg-query", "-W", "-f=${Conffiles}", "anvil").output().contains("/etc/anvil/anvil.yaml"),
                "/etc/anvil/anvil.yaml is a conffile");
        String[] user = run("getent", "passwd", "anvil").output().strip().split(":");
        assertEquals(7, user.length, String.join(":", user));
        assertEquals("/var/lib/anvil", user[5], "home");
        assertEquals("/usr/sbin/nologin", user[6], "shell");
        assertTrue(Integer.parseInt(user[2]) < 1000, "a system user: " + user[2]);
        PosixFileAttributes state =
                Files.readAttributes(Path.of("/var/lib/anvil"), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals("anvil", state.owner().getName());
        assertEquals("anvil", state.group().getName());
        assertEquals("rwxr-x---", PosixFilePermissions.toString(state.permissions()));
        Path wants = Path.of(WANTS);
        assertTrue(Files.isSymbolicLink(wants), "enabled: " + WANTS);
        assertEquals(Path.of(UNIT), Files.readSymbolicLink(wants));
    }

    private static void checkConfigAndUnit() throws Exception {
        Netns.Result check = run(asAnvil("/usr/bin/anvild", "--check-config", "/etc/anvil/anvil.yaml"));
        assertEquals(0, check.code(), check.output());
        assertTrue(check.output().contains("/etc/anvil/anvil.yaml: OK"), check.output());

        // On the real root the unit's Exec paths must exist; only lines naming the unit count as problems.
        Netns.Result verify = run("systemd-analyze", "verify", "--man=no", UNIT);
        assertEquals(0, verify.code(), verify.output());
        List<String> problems = verify.output()
                .lines()
                .filter(l -> l.contains("anvild.service"))
                .toList();
        assertTrue(problems.isEmpty(), String.join("\n", problems));

        Netns.Result help = run("/usr/bin/anvil", "--help");
        assertEquals(0, help.code(), help.output());
        assertTrue(help.output().contains("Usage: anvil "), help.output());
        Netns.Result version = run("/usr/bin/anvild", "--version");
        assertTrue(version.output().contains("anvild " + System.getProperty("anvil.version", "")), version.output());
    }

    /** The installed daemon as user anvil, on loopback and free ports, with a state directory of its own. */
    private static void runDaemonAsAnvil(Path tmp) throws Exception {
        Path stateDir = tmp.resolve("state");
        Files.createDirectories(stateDir);
        must("chown", "-R", "anvil:anvil", tmp.toString());
        must("chmod", "0750", tmp.toString());
        Path config = tmp.resolve("anvil.yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "dhcp: {listen: \"127.0.0.1:0\", bootServerPort: 0}",
                        "tftp: {listen: \"127.0.0.1:0\"}",
                        "dns: {listen: \"127.0.0.1:0\"}",
                        "lifecycle: {aliveIntervalSeconds: 0}",
                        "networks:",
                        "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99,",
                        "     domain: cluster.test, serverAddress: 10.10.0.1}",
                        ""));
        try (DaemonProcess d = DaemonProcess.start(
                asAnvil(), Path.of("/usr/bin/anvild"), stateDir, "127.0.0.1:0", "--config", config.toString())) {
            Netns.Result health =
                    run("curl", "-fsS", "-m", "10", d.bootUri("/healthz").toString());
            assertEquals(0, health.code(), health.output());
            assertTrue(health.output().contains("\"status\":\"ok\""), health.output());
            // The packaged CLI against the packaged daemon, the token read from the state directory.
            Netns.Result status =
                    run("/usr/bin/anvil", "--url", d.base().toString(), "--state-dir", stateDir.toString(), "status");
            assertEquals(0, status.code(), status.output());
            assertTrue(status.output().startsWith("anvild "), status.output());
            PosixFileAttributes db = Files.readAttributes(stateDir.resolve("anvil.mv.db"), PosixFileAttributes.class);
            assertEquals("anvil", db.owner().getName(), "the daemon ran as anvil");
            assertEquals(143, d.stop(), d.log());
        }
    }

    private static List<String> asAnvil(String... cmd) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=anvil", "--regid=anvil", "--init-groups"));
        all.addAll(List.of(cmd));
        return all;
    }

    /** dpkg's status of package anvil ("install ok installed", ...), or "" when it is not installed at all. */
    private static String installedStatus() throws Exception {
        Netns.Result r = run("dpkg-query", "-W", "-f=${Status}", "anvil");
        String status = r.output().strip();
        return r.code() != 0 || status.endsWith(" not-installed") ? "" : status;
    }

    private static Netns.Result run(String... cmd) throws Exception {
        return run(List.of(cmd));
    }

    private static Netns.Result run(List<String> cmd) throws Exception {
        return Netns.exec(cmd, 120);
    }

    private static void must(String... cmd) throws Exception {
        Netns.Result r = run(cmd);
        assertEquals(0, r.code(), () -> String.join(" ", cmd) + ":\n" + r.output());
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
