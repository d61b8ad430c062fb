package dev.anvil.store.h2;

import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.NodeDraft;
import dev.anvil.core.node.NodeState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cost per node create: {@code count [fsync]} creates (auto address) on a fresh store, one after another
 * after 200 warm-up creates; prints creates/s and the p50/p99 latency. {@code fsync} opens the store with an
 * fsync after every commit (power-cut durability). Run by {@code bench/store-durability.sh}.
 */
public final class H2CreateBench {
    private H2CreateBench() {}

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        boolean fsync = args.length > 1 && args[1].equals("fsync");
        Path dir = Files.createTempDirectory("anvil-create-bench");
        H2Store store = H2Store.open(dir, fsync, H2Store.ROTATE_BYTES);
        store.networks().put(H2KillChild.NET);
        int warm = 200;
        long[] nanos = new long[count];
        long t0 = 0;
        for (int i = 0; i < warm + count; i++) {
            if (i == warm) {
                t0 = System.nanoTime();
            }
            NodeDraft d = new NodeDraft(
                    "b" + i + ".kill.test",
                    List.of(MacAddress.parse(String.format("52:56:00:00:%02x:%02x", i >> 8, i & 0xff))),
                    Map.of("kill", Optional.<Ipv4Address>empty()),
                    "sledgehammer",
                    Optional.empty(),
                    true,
                    NodeState.DISCOVERING);
            long s = System.nanoTime();
            store.nodes().create(d, Instant.now());
            if (i >= warm) {
                nanos[i - warm] = System.nanoTime() - s;
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        store.close();
        Arrays.sort(nanos);
        System.out.printf(
                "%d creates%s: %.0f creates/s, p50 %.2f ms, p99 %.2f ms%n",
                count,
                fsync ? " (fsync)" : "",
                count / secs,
                nanos[count / 2] / 1e6,
                nanos[(int) (count * 0.99)] / 1e6);
    }
}
