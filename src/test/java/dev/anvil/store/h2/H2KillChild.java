package dev.anvil.store.h2;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkDraft;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.TaskStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The process {@link H2KillTest} kills: opens {@link H2Store} on {@code args[0]} and writes through the real
 * stores from {@code args[2]} threads (a node create, then every third node a task for it, then every fifth
 * a meta key), each pausing up to {@code args[3]} ms between writes. Every write is printed to stdout only
 * after its call returned (the acknowledgement a client would get): {@code N name ipv4}, {@code T id nodeName},
 * {@code M key value}. Names carry the round {@code args[1]}, so rounds on one store never collide.
 */
public final class H2KillChild {
    static final Network NET = new NetworkDraft(
                    "kill",
                    7,
                    "10.77.0.0/16",
                    "10.77.0.10-10.77.255.250",
                    null,
                    "10.77.0.1",
                    "kill.test",
                    "none",
                    null,
                    null)
            .validate();

    private H2KillChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int round = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        int pauseMs = Integer.parseInt(args[3]);
        PrintStream out = System.out;
        H2Store store = H2Store.open(dir);
        store.networks().put(NET);
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread w = new Thread(() -> write(store, out, round, thread, pauseMs), "writer-" + t);
            w.start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void write(H2Store store, PrintStream out, int round, int thread, int pauseMs) {
        for (int i = 0; ; i++) {
            try {
                writeOne(store, out, round, thread, i);
            } catch (RuntimeException e) {
                // refused or failed: never acknowledged; the test reports it (a healthy store refuses nothing here)
                ack(out, "E " + e.toString().replace('\n', ' '));
            }
            if (pauseMs > 0) {
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(pauseMs + 1));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static void writeOne(H2Store store, PrintStream out, int round, int thread, int i) {
        {
            String name = "r" + round + "-t" + thread + "-" + i + ".kill.test";
            long seq = ((long) round << 24) | ((long) thread << 20) | i;
            MacAddress mac = MacAddress.parse(String.format(
                    "52:54:%02x:%02x:%02x:%02x",
                    (seq >> 24) & 0xff, (seq >> 16) & 0xff, (seq >> 8) & 0xff, seq & 0xff));
            NodeDraft draft = new NodeDraft(
                    name,
                    List.of(mac),
                    Map.of("kill", Optional.<Ipv4Address>empty()),
                    "sledgehammer",
                    Optional.empty(),
                    true,
                    NodeState.DISCOVERING);
            Instant now = Instant.now();
            Node node = store.nodes().create(draft, now);
            ack(out, "N " + name + " " + node.addresses().get(0).ipv4());
            if (i % 3 == 0) {
                TaskStore.Task task = store.tasks().enqueue(node.id(), "reboot", "{}", 3, now, now);
                ack(out, "T " + task.id() + " " + name);
            }
            if (i % 5 == 0) {
                String key = "kill." + name;
                String value = store.meta().getOrInit(key, () -> Long.toString(seq));
                ack(out, "M " + key + " " + value);
            }
        }
    }

    private static void ack(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
