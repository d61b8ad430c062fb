package dev.anvil.store.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.NodeQuery;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23: a write the store acknowledged survives a SIGKILL of the process. Each round starts
 * {@link H2KillChild} on the same store (so every round is also a restart after a kill), lets it write from
 * several threads, kills it ({@code destroyForcibly}, SIGKILL on Linux) at a random moment, then reopens the
 * store here and checks that every node, task and meta key ever acknowledged is there (nodes with the address
 * they were given), that no two nodes hold one address, and that a node created after the restart does not
 * get an address an acknowledged node holds. Bounded for CI: {@code anvil.killtest.rounds} rounds (12 by
 * default) with kills within {@code anvil.killtest.maxKillMs} ms (1500) of the first acknowledgement;
 * {@code bench/store-durability.sh} runs longer loops.
 */
class H2KillTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurviveSigkill() throws Exception {
        int rounds = Integer.getInteger("anvil.killtest.rounds", 12);
        int maxKillMs = Integer.getInteger("anvil.killtest.maxKillMs", 1500);
        int threads = Integer.getInteger("anvil.killtest.threads", 8);
        int pauseMs = Integer.getInteger("anvil.killtest.pauseMs", 0);
        long seed = Long.getLong("anvil.killtest.seed", System.nanoTime());
        Result r = run(dir.resolve("state"), rounds, threads, pauseMs, maxKillMs, seed);
        assertTrue(r.acked() > rounds, "the child acknowledged too few writes to test anything: " + r.acked());
        assertEquals(List.of(), r.failures(), "seed " + seed);
    }

    record Result(int acked, List<String> failures) {}

    /**
     * Runs {@code rounds} kill rounds on the store in {@code state}; what each round found missing or broken.
     * {@code H2KillBench} runs it for longer from {@code bench/store-durability.sh}.
     */
    static Result run(Path state, int rounds, int threads, int pauseMs, int maxKillMs, long seed)
            throws IOException, InterruptedException {
        Random random = new Random(seed);
        Map<String, String> nodes = new HashMap<>(); // name -> ipv4, everything acknowledged so far
        Map<Long, String> tasks = new HashMap<>(); // task id -> node name
        Map<String, String> meta = new HashMap<>();
        List<String> failures = new ArrayList<>();
        int acked = 0;
        for (int round = 0; round < rounds; round++) {
            List<String> errors = new ArrayList<>();
            for (String line : runAndKill(state, round, threads, pauseMs, 100 + random.nextInt(maxKillMs))) {
                String[] f = line.split(" ", 3);
                switch (f[0]) {
                    case "N" -> nodes.put(f[1], f[2]);
                    case "T" -> tasks.put(Long.parseLong(f[1]), f[2]);
                    case "M" -> meta.put(f[1], f[2]);
                    default -> errors.add(line);
                }
                acked += line.startsWith("E ") ? 0 : 1;
            }
            if (!errors.isEmpty()) {
                failures.add("round " + round + ": " + errors.size() + " writes failed, first: " + errors.get(0));
                System.out.println(failures.get(failures.size() - 1));
            }
            try {
                String lost = check(state, round, nodes, tasks, meta);
                if (lost != null) {
                    failures.add(lost);
                }
            } catch (RuntimeException e) {
                failures.add("round " + round + ": the reopened store failed: " + e);
                System.out.println(failures.get(failures.size() - 1));
            }
        }
        System.out.printf(
                "kill test: seed %d, %d rounds, %d threads, pause <= %d ms, kill <= %d ms: %d acknowledged "
                        + "writes, %d failures%n",
                seed, rounds, threads, pauseMs, maxKillMs, acked, failures.size());
        return new Result(acked, failures);
    }

    /** Starts the child, waits for its first acknowledgement, kills it {@code killMs} later; its acked lines. */
    private static List<String> runAndKill(Path state, int round, int threads, int pauseMs, int killMs)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                cp,
                H2KillChild.class.getName(),
                state.toString(),
                Integer.toString(round),
                Integer.toString(threads),
                Integer.toString(pauseMs));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        Thread watchdog = new Thread(
                () -> {
                    try {
                        if (!p.waitFor(30, TimeUnit.SECONDS)) {
                            p.toHandle().destroyForcibly();
                        }
                    } catch (InterruptedException e) {
                        p.toHandle().destroyForcibly();
                    }
                },
                "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try (Reader r = new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)) {
            Thread killer = null;
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = r.read()) != -1) {
                if (c != '\n') {
                    line.append((char) c);
                    continue;
                }
                // only a whole line is an acknowledgement: a line the kill cut short was never one
                String l = line.toString();
                line.setLength(0);
                if (l.equals("READY")) {
                    continue;
                }
                lines.add(l);
                if (killer == null && !l.startsWith("E ")) {
                    killer = new Thread(
                            () -> {
                                try {
                                    Thread.sleep(killMs);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                // SIGKILL through the handle: Process.destroyForcibly would also close our end of the
                                // pipe and
                                // drop acknowledgements the child wrote just before it died
                                p.toHandle().destroyForcibly();
                            },
                            "killer");
                    killer.start();
                }
            }
            if (killer != null) {
                killer.join();
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        return lines;
    }

    /** Reopens the store; null when everything acknowledged is there, otherwise what is missing. */
    private static String check(
            Path state, int round, Map<String, String> nodes, Map<Long, String> tasks, Map<String, String> meta) {
        H2Store store = H2Store.open(state);
        try {
            Map<String, String> stored = new HashMap<>();
            Set<String> addresses = new HashSet<>();
            List<String> shared = new ArrayList<>();
            List<String> torn = new ArrayList<>();
            for (Node n : store.nodes().list(NodeQuery.all())) {
                if (n.addresses().isEmpty() || n.macs().isEmpty()) {
                    torn.add(n.name()); // half a create: the node row without its address or MAC
                    continue;
                }
                String ip = n.addresses().get(0).ipv4().toString();
                stored.put(n.name(), ip);
                if (!addresses.add(ip)) {
                    shared.add(ip);
                }
            }
            List<String> lostNodes = new ArrayList<>();
            nodes.forEach((name, ip) -> {
                if (!ip.equals(stored.get(name))) {
                    lostNodes.add(name + "=" + ip + "->" + stored.get(name));
                }
            });
            List<Long> lostTasks = new ArrayList<>();
            tasks.forEach((id, name) -> {
                if (store.tasks().get(id).isEmpty()) {
                    lostTasks.add(id);
                }
            });
            List<String> lostMeta = new ArrayList<>();
            meta.forEach((key, value) -> {
                if (!store.meta().get(key).equals(Optional.of(value))) {
                    lostMeta.add(key);
                }
            });
            // A create after the restart must not be given an address an acknowledged node holds.
            MacAddress mac = MacAddress.parse(String.format("52:55:00:00:%02x:%02x", round >> 8, round & 0xff));
            Node probe = store.nodes()
                    .create(
                            new NodeDraft(
                                    "probe" + round + ".kill.test",
                                    List.of(mac),
                                    Map.of("kill", Optional.<Ipv4Address>empty()),
                                    "sledgehammer",
                                    Optional.empty(),
                                    true,
                                    NodeState.DISCOVERING),
                            Instant.now());
            String probeIp = probe.addresses().get(0).ipv4().toString();
            boolean reused = nodes.containsValue(probeIp);
            nodes.put(probe.name(), probeIp);
            if (lostNodes.isEmpty()
                    && lostTasks.isEmpty()
                    && lostMeta.isEmpty()
                    && shared.isEmpty()
                    && !reused
                    && torn.isEmpty()) {
                return null;
            }
            String lost = "round " + round + ": lost " + lostNodes.size() + " of " + nodes.size() + " nodes "
                    + lostNodes.subList(0, Math.min(5, lostNodes.size())) + ", " + lostTasks.size() + " of "
                    + tasks.size()
                    + " tasks, " + lostMeta.size() + " of " + meta.size() + " meta keys; shared addresses " + shared
                    + (torn.isEmpty() ? "" : "; nodes without address or MAC " + torn)
                    + (reused ? "; the next create got the acknowledged address " + probeIp : "");
            System.out.println(lost);
            // what was lost is gone for good: forget it so later rounds report only their own losses
            lostNodes.forEach(s -> nodes.remove(s.substring(0, s.indexOf('='))));
            lostTasks.forEach(tasks::remove);
            lostMeta.forEach(meta::remove);
            return lost;
        } finally {
            store.close();
        }
    }
}
