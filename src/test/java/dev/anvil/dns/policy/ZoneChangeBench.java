package dev.anvil.dns.policy;

import dev.anvil.config.AnvilConfig;
import dev.anvil.config.ConfigLoader;
import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeAddress;
import dev.anvil.core.node.NodeState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DNS's own share of a node change, without the store or the API: the cost of one node change in zones of N
 * nodes (N at the end of each 1,000-node band), in place ({@link LiveZones#put}, 20,000 address changes of
 * random nodes) and as the former code did it (a whole build of every record at the band's middle, {@link
 * ReferenceZones#build}, with the answer cache encoded too, as the former snapshot did). Run by {@code
 * bench/dns-zone-changes.sh}; not a test.
 */
public final class ZoneChangeBench {
    private ZoneChangeBench() {}

    public static void main(String[] args) {
        int max = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rebuildSamples = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        AnvilConfig cfg = new ConfigLoader().parse("""
        stateDir: /nonexistent
        networks:
          - {name: bench, id: 2, cidr: 10.20.0.0/16, staticRange: 10.20.0.1-10.20.255.254, domain: cluster.test,
             v6prefix: "fd20::", serverAddress: 10.20.0.1}
        """, "bench");
        Addressing addressing = new Addressing(0x123456789aL);
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= max; i++) {
            int a = i + 256;
            nodes.add(new Node(
                    i,
                    String.format("b%05d.cluster.test", i),
                    List.of(MacAddress.parse(
                            String.format("52:54:01:%02x:%02x:%02x", i >> 16 & 255, i >> 8 & 255, i & 255))),
                    List.of(new NodeAddress("bench", Ipv4Address.parse("10.20." + (a >> 8) + "." + (a & 255)))),
                    "local",
                    Optional.empty(),
                    false,
                    true,
                    NodeState.READY,
                    Instant.EPOCH,
                    Instant.EPOCH));
        }
        for (int warm = 0; warm < 3; warm++) { // JIT
            LiveZones z = LiveZones.build(cfg.networks(), "bench", List.of(), addressing, cfg.dns(), 1);
            nodes.subList(0, Math.min(max, 2000)).forEach(z::put);
            rebuild(cfg, nodes.subList(0, 500), addressing);
        }
        // Two passes, so the rebuilds' garbage does not land on the in-place clock. In place: once the zones hold
        // the band's last node, 20,000 changes of random nodes' addresses (each there and back) are timed.
        LiveZones z = LiveZones.build(cfg.networks(), "bench", List.of(), addressing, cfg.dns(), 1);
        java.util.Random rnd = new java.util.Random(1);
        List<Double> putMicros = new ArrayList<>();
        for (int band = 0; band < max; band += 1000) {
            int at = Math.min(max, band + 1000);
            for (int i = band; i < at; i++) {
                z.put(nodes.get(i));
            }
            long t0 = System.nanoTime();
            for (int k = 0; k < 10_000; k++) {
                Node n = nodes.get(rnd.nextInt(at));
                int a = 60_000 + k % 5000; // an address no node holds: 10.20.234.96 and up
                z.put(new Node(
                        n.id(),
                        n.name(),
                        n.macs(),
                        List.of(new NodeAddress("bench", Ipv4Address.parse("10.20." + (a >> 8) + "." + (a & 255)))),
                        n.bootEnv(),
                        n.targetOs(),
                        n.alive(),
                        n.available(),
                        n.state(),
                        n.createdAt(),
                        n.updatedAt()));
                z.put(n);
            }
            putMicros.add((System.nanoTime() - t0) / 1e3 / 20_000);
        }
        System.out.printf("%-12s %26s %30s%n", "nodes", "in place: changes/s (us)", "former rebuild: changes/s (ms)");
        for (int band = 0; band < max; band += 1000) {
            int at = Math.min(max, band + 1000);
            long t1 = System.nanoTime();
            for (int s = 0; s < rebuildSamples; s++) {
                rebuild(cfg, nodes.subList(0, Math.max(1, at - 500)), addressing); // the band's middle
            }
            double reb = (System.nanoTime() - t1) / 1e6 / rebuildSamples;
            double put = putMicros.get(band / 1000);
            System.out.printf("%-12s %18.0f (%5.1f) %22.1f (%6.1f)%n", band + "-" + at, 1e6 / put, put, 1e3 / reb, reb);
        }
    }

    private static void rebuild(AnvilConfig cfg, List<Node> nodes, Addressing addressing) {
        ReferenceZones r = ReferenceZones.build(cfg.networks(), "bench", nodes, addressing, cfg.dns(), 1);
        AnswerCache c = new AnswerCache();
        r.names().forEach((n, sets) -> c.update(n, sets, java.util.Map.of()));
    }
}
