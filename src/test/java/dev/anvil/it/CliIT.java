package dev.anvil.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.os.TestTrees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden-output test of the {@code anvil} CLI: the real {@code target/anvil/bin/anvil} script run against a real
 * anvild, every command as a table and as JSON, then the settings' precedence and every exit code. Each run is
 * written to a transcript ({@code $ anvil ARGS}, stdout, stderr lines prefixed {@code stderr: }, a non-zero exit
 * as {@code [exit N]}) and compared with {@code src/test/resources/cli/*.txt}. Normalized, because they vary from
 * run to run: the API's URL and port, the temporary directory, instants, token secrets, the admin token's name,
 * uptime and store latency, connection counts, the copy's duration, and what a just queued import waits for
 * and the "running" line it may or may not be caught in. {@code -Danvil.golden.update=true} rewrites the files (review the diff).
 */
class CliIT {
    static final Path GOLDEN = Path.of("src/test/resources/cli");

    @TempDir
    static Path tmp;

    static Path anvil() {
        Path p = Path.of(System.getProperty("anvil.dist", "target/anvil"), "bin", "anvil");
        assertTrue(Files.isExecutable(p), p + " is missing: integration tests run after `mvn package`");
        return p;
    }

    record Run(int code, String out, String err) {}

    /** Runs bin/anvil with HOME in the temporary directory, no ANVIL_* variables but {@code env}. */
    static Run run(Map<String, String> env, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(anvil().toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("ANVIL_") || k.equals("XDG_CONFIG_HOME"));
        pb.environment().put("HOME", tmp.resolve("home").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "anvil " + args + " did not end");
        return new Run(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }

    /** A transcript of runs against one daemon, normalized. */
    static final class Transcript {
        final StringBuilder text = new StringBuilder();
        final Map<String, String> env = new HashMap<>();
        final String url;

        Transcript(String url, Map<String, String> env) {
            this.url = url;
            this.env.putAll(env);
        }

        /** The command as a table, then as JSON. */
        void both(String... args) throws Exception {
            step(args);
            String[] json = java.util.Arrays.copyOf(args, args.length + 2);
            json[args.length] = "-o";
            json[args.length + 1] = "json";
            step(json);
        }

        Run step(String... args) throws Exception {
            return step(Map.of(), args);
        }

        /** Runs one command (with extra environment) and appends it; returns the raw run. */
        Run step(Map<String, String> extraEnv, String... args) throws Exception {
            Map<String, String> e = new HashMap<>(env);
            e.putAll(extraEnv);
            Run r = run(e, List.of(args));
            StringBuilder s = new StringBuilder();
            extraEnv.keySet().stream()
                    .sorted()
                    .forEach(
                            k -> s.append(k).append("=").append(extraEnv.get(k)).append(' '));
            text.append("$ ")
                    .append(s)
                    .append("anvil")
                    .append(args.length == 0 ? "" : " " + String.join(" ", args))
                    .append('\n');
            text.append(r.out());
            r.err().lines().forEach(l -> text.append("stderr: ").append(l).append('\n'));
            if (r.code() != 0) {
                text.append("[exit ").append(r.code()).append("]\n");
            }
            text.append('\n');
            return r;
        }

        String normalized() {
            String t = text.toString().replace(url, "$URL").replace(tmp.toString(), "$TMP");
            t = t.replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ", "YYYY-MM-DDThh:mm:ssZ");
            t = t.replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z", "<instant>");
            t = t.replaceAll("anvil_[A-Za-z0-9_-]{43}", "anvil_<secret>");
            t = t.replaceAll("admin-\\d{10}", "admin-XXXXXXXXXX");
            // the instance name made on the first start: the host's name and six random hex digits
            t = t.replaceAll("\"instance\":\"[^\"]+\"", "\"instance\":\"<instance>\"");
            t = t.replaceAll("(?m)^instance:( +)[A-Za-z0-9]\\S*$", "instance:$1<instance>");
            t = t.replaceAll("anvild [^ ,]+, up [0-9dhms ]+s", "anvild <version>, up <uptime>");
            t = t.replaceAll("\"version\":\"[^\"]+\"", "\"version\":\"<version>\"");
            t = t.replaceAll("\"(uptimeSeconds|latencyMicros|connections|clients|rounds)\":\\d+", "\"$1\":<n>");
            t = t.replaceAll("with (\\w+) in [0-9.]+ s", "with $1 in <n> s");
            t = t.replaceAll("(?m)^task \\d+ import [^:]+: running\\n", "");
            t = t.replaceAll("(?m)^(task \\d+ import [^:]+: queued).*$", "$1");
            return t;
        }

        void check(String name) throws Exception {
            String actual = normalized();
            Path file = GOLDEN.resolve(name);
            Path dump = Path.of("target", "cli-golden", name);
            Files.createDirectories(dump.getParent());
            Files.writeString(dump, actual);
            if (Boolean.getBoolean("anvil.golden.update")) {
                Files.createDirectories(GOLDEN);
                Files.writeString(file, actual);
            }
            assertEquals(Files.readString(file), actual, "golden " + file + " (actual in " + dump + ")");
        }
    }

    static String json(String s) {
        Matcher m = Pattern.compile("anvil_[A-Za-z0-9_-]{43}").matcher(s);
        assertTrue(m.find(), s);
        return m.group();
    }

    @Test
    void everyCommandAsATableAndAsJsonThenTheSettingsAndEveryExitCode() throws Exception {
        Path cfg = tmp.resolve("anvil.yaml");
        Path images = Files.createDirectories(tmp.resolve("images"));
        Files.writeString(
                cfg,
                "dhcp: {enabled: false}\ndns: {enabled: false}\ntftp: {enabled: false}\n"
                        + "lifecycle: {aliveIntervalSeconds: 0}\n"
                        + "install: {importRoots: [\"" + images + "\"]}\n"
                        + "networks:\n"
                        + "  - {name: admin, id: 1, cidr: 10.10.0.0/24, staticRange: 10.10.0.10-10.10.0.99,"
                        + " dhcpPool: 10.10.0.100-10.10.0.199, domain: cluster.test, v6prefix: \"fd00:1234:5678:1::\","
                        + " serverAddress: 10.10.0.1}\n");
        Path fedora = TestTrees.fedora(images.resolve("fedora"), 0);
        Path state = tmp.resolve("state");
        try (DaemonProcess d = DaemonProcess.start(state, "127.0.0.1:0", "--config", cfg.toString())) {
            String url = d.base().toString().replaceAll("/$", "");
            Transcript t = new Transcript(url, Map.of("ANVIL_URL", url, "ANVIL_STATE_DIR", state.toString()));
            commands(t, fedora);
            t.check("commands.txt");

            Transcript e = new Transcript(url, Map.of("ANVIL_URL", url, "ANVIL_STATE_DIR", state.toString()));
            settingsAndExitCodes(e, d, state);
            e.check("errors.txt");

            Run completion = run(Map.of(), List.of("generate-completion"));
            assertEquals(0, completion.code(), completion.err());
            assertTrue(completion.out().startsWith("#!/usr/bin/env bash"), completion.out());
            assertTrue(completion.out().contains("complete -F _complete_anvil"), completion.out());
            assertTrue(
                    completion.out().contains("install redeploy reboot power-off available history"), completion.out());
        }
    }

    /** Every command, table then JSON, in an order that leaves each answer the same from run to run. */
    static void commands(Transcript t, Path fedora) throws Exception {
        t.both("status");

        t.both("networks", "list");
        t.both("networks", "show", "admin");
        t.step(
                "networks",
                "create",
                "storage",
                "--id",
                "2",
                "--cidr",
                "10.20.0.0/24",
                "--static-range",
                "10.20.0.10-10.20.0.200",
                "--router",
                "10.20.0.1",
                "--domain",
                "storage.cluster.test",
                "--v6prefix",
                "none");
        t.step(
                "-o",
                "json",
                "networks",
                "create",
                "backup",
                "--id",
                "3",
                "--cidr",
                "10.30.0.0/24",
                "--static-range",
                "10.30.0.10-10.30.0.20",
                "--domain",
                "backup.cluster.test",
                "--v6prefix",
                "fd00:1234:5678:3::");
        t.step("networks", "delete", "backup");
        t.step("networks", "delete", "storage", "-o", "json");

        t.step("nodes", "create", "n1", "--mac", "52:54:00:12:34:56");
        t.step(
                "nodes",
                "create",
                "n2",
                "--mac",
                "52-54-00-AB-CD-EF",
                "--mac",
                "5254.00ab.cdf0",
                "--address",
                "admin=10.10.0.50",
                "--boot-env",
                "ubuntu-22.04-install",
                "-o",
                "json");
        t.step("nodes", "create", "n3", "--mac", "52:54:00:00:00:03", "--boot-env", "local", "--unavailable");
        t.both("nodes", "list");
        t.step("nodes", "list", "--state", "install-pending");
        t.step("nodes", "list", "--boot-env", "local", "-o", "json");
        t.step("nodes", "show", "n1");
        t.step("nodes", "show", "52:54:00:ab:cd:ef", "-o", "json");
        t.step("nodes", "install", "n1", "debian-12");
        t.step("nodes", "redeploy", "n1", "-o", "json");
        t.step("nodes", "install", "n1", "fedora-40", "-o", "json");
        t.step("nodes", "redeploy", "n1");
        t.step("nodes", "available", "n3", "true");
        t.step("nodes", "available", "n3", "false", "-o", "json");
        t.both("nodes", "history", "n1");
        t.both("timeline", "n1");
        t.step("timeline", "52:54:00:12:34:56", "--limit", "2");
        t.step("timeline", "n1", "--limit", "0");
        t.step("nodes", "delete", "n3");
        t.step("nodes", "delete", "n2", "-o", "json");

        t.both("leases");

        t.both("oses", "list");
        t.both("oses", "show", "fedora-40");
        t.both("oses", "import", "fedora-40", fedora.toString(), "--wait");
        t.step("oses", "show", "fedora-40");
        t.step("tasks", "--follow");
        t.step("tasks", "1", "--follow");
        t.step("tasks", "2", "--follow", "-o", "json");

        t.both("nodes", "reboot", "n1");
        t.both("tasks");
        t.step("tasks", "1");
        t.step("tasks", "3", "-o", "json");
        t.step("tasks", "--node", "n1");

        t.both("tokens", "list");
        t.step("tokens", "create", "grafana");
        t.step("tokens", "create", "ci", "--role", "admin", "-o", "json");
        t.step("tokens", "revoke", "3");
        t.step("tokens", "revoke", "2", "-o", "json");
        t.step("tokens", "list");
    }

    /** Where the URL and token come from, and each exit code with its message. */
    static void settingsAndExitCodes(Transcript t, DaemonProcess d, Path state) throws Exception {
        // 1: the API refused, its message and field shown
        t.step("nodes", "create", "bad", "--mac", "zz");
        t.step("nodes", "install", "n1", "debian-12");
        t.step("nodes", "install", "n1", "debian-12");
        t.step("nodes", "show", "nope");
        t.step("networks", "delete", "admin");
        t.step("oses", "import", "debian-12", "/etc/passwd");
        Path junk = Files.writeString(tmp.resolve("images").resolve("junk.iso"), "not an ISO image");
        Run failed = t.step("oses", "import", "debian-12", junk.toString(), "--wait");
        assertEquals(1, failed.code(), failed.err());

        // 2: usage
        t.step();
        t.step("nodes");
        t.step("nodes", "bogus");
        t.step("nodes", "available", "n1", "maybe");
        t.step("tasks", "1", "--node", "n1");
        t.step(Map.of("ANVIL_URL", "127.0.0.1:8080"), "status");

        // 3: nothing answers there
        t.step("--url", "http://127.0.0.1:1", "status");

        // 4: no token, a wrong one, a read-only one on a change
        Path empty = Files.createDirectories(tmp.resolve("no-state"));
        t.step(Map.of("ANVIL_STATE_DIR", empty.toString()), "nodes", "list");
        t.step("--token", "anvil_wrong", "nodes", "list");
        String readOnly =
                json(t.step("tokens", "create", "viewer", "-o", "json").out());
        t.step(Map.of("ANVIL_TOKEN", readOnly), "nodes", "list");
        t.step(Map.of("ANVIL_TOKEN", readOnly), "nodes", "delete", "n1");
        t.step(Map.of("ANVIL_TOKEN", readOnly), "tokens", "list");

        // cli.conf: used when neither flag nor environment says otherwise; the environment beats it, a flag beats
        // both; a wrong line is a usage error
        Path conf = tmp.resolve("home/.config/anvil/cli.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "# written by CliIT\nurl = " + t.url + "\ntoken = " + d.adminToken() + "\n");
        t.env.clear();
        t.step("nodes", "list");
        t.step(Map.of("ANVIL_TOKEN", readOnly), "nodes", "delete", "n1");
        t.step(Map.of("ANVIL_URL", "http://127.0.0.1:1"), "status");
        t.step(Map.of("ANVIL_URL", "http://127.0.0.1:1"), "--url", t.url, "nodes", "list");
        Files.writeString(conf, "url=" + t.url + "\npassword=x\n");
        t.step("status");
        // no cli.conf, no environment: the admin token of --state-dir
        Files.delete(conf);
        t.step("--url", t.url, "--state-dir", state.toString(), "nodes", "list");
    }
}
