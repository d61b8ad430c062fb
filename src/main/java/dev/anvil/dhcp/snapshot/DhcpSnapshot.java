package dev.anvil.dhcp.snapshot;

import dev.anvil.config.DhcpConfig;
import dev.anvil.core.boot.BootEnvironment;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the DHCP decision needs, as it was when the snapshot was written: the DHCP configuration, the
 * boot listener's port, the boot environments (only whether each boots locally matters to DHCP), the networks
 * and every node's reservation. The daemon answers DHCP from it before the configuration is parsed and the
 * store is opened (see {@link SnapshotKeeper} for why it is never stale when it is used).
 *
 * <p>{@code fingerprint} names the inputs the rest was derived from (flags, configuration file, code): a
 * snapshot is used only when the fingerprint of this start is byte-for-byte the same. The nodes are partial:
 * id, name, MACs, addresses, boot environment and state; the rest has placeholder values. Only the DHCP path
 * sees them, and only until the store is open.
 */
public record DhcpSnapshot(
        byte[] fingerprint,
        Path stateDir,
        DhcpConfig dhcp,
        int httpPort,
        List<BootEnvironment> bootEnvs,
        List<Network> networks,
        Reservations nodes) {

    /** The nodes by MAC; a decoded snapshot decodes a node only when it is asked for. */
    public interface Reservations {
        Optional<Node> byMac(MacAddress mac);

        int size();

        /** Every node once, in a fixed order (by lowest MAC). */
        List<Node> all();
    }

    public DhcpSnapshot {
        fingerprint = fingerprint.clone();
        bootEnvs = List.copyOf(bootEnvs);
        networks = List.copyOf(networks);
    }

    public DhcpSnapshot(
            byte[] fingerprint,
            Path stateDir,
            DhcpConfig dhcp,
            int httpPort,
            List<BootEnvironment> bootEnvs,
            List<Network> networks,
            List<Node> nodes) {
        this(fingerprint, stateDir, dhcp, httpPort, bootEnvs, networks, inMemory(nodes));
    }

    private static Reservations inMemory(List<Node> nodes) {
        Map<MacAddress, Node> m = new HashMap<>(nodes.size() * 2);
        for (Node n : nodes) {
            for (MacAddress mac : n.macs()) {
                m.put(mac, n);
            }
        }
        List<Node> sorted = new java.util.ArrayList<>(nodes);
        sorted.sort(java.util.Comparator.comparingLong(
                n -> n.macs().stream().mapToLong(MacAddress::bits).min().orElse(Long.MAX_VALUE)));
        List<Node> all = List.copyOf(sorted);
        return new Reservations() {
            @Override
            public Optional<Node> byMac(MacAddress mac) {
                return Optional.ofNullable(m.get(mac));
            }

            @Override
            public int size() {
                return all.size();
            }

            @Override
            public List<Node> all() {
                return all;
            }
        };
    }

    @Override
    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    /** The boot environment as DHCP sees it: its name and whether it boots the local disk. */
    public static BootEnvironment dhcpView(String name, boolean localBoot) {
        return new BootEnvironment(
                name,
                "",
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "",
                Optional.empty(),
                localBoot);
    }
}
