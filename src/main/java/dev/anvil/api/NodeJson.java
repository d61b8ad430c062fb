package dev.anvil.api;

import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.power.PowerReading;
import dev.anvil.core.power.PowerState;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node as the API shows it, with each address's derived IPv6 address, the fingerprints of its pinned SSH
 * host keys (empty: not pinned), when its SSH server presented another key, that key ({@code null}: none), and
 * what its BMC last said ({@code null}: no BMC, or not asked since the start).
 */
public record NodeJson(
        String name,
        List<String> macs,
        List<AddressJson> addresses,
        String bootEnv,
        String targetOs,
        boolean alive,
        boolean available,
        String state,
        String createdAt,
        String updatedAt,
        List<HostKeyJson> hostKeys,
        MismatchJson hostKeyMismatch,
        PowerJson power) {

    public record AddressJson(String network, String ipv4, String ipv6) {}

    /** A pinned host key: its type and OpenSSH SHA256 fingerprint. */
    public record HostKeyJson(String type, String fingerprint) {}

    /** The key the node's SSH server presented instead of a pinned one, and when that was first seen. */
    public record MismatchJson(String type, String fingerprint, String since) {}

    /**
     * What the node's BMC last said (doc/power.md#power-state): {@code state} {@code on}, {@code off} or null (never
     * read), when, and the error of the last call (null: it answered). Kept in memory: null after a restart until
     * the next poll.
     */
    public record PowerJson(String state, String at, String error) {
        static PowerJson of(PowerReading r) {
            return new PowerJson(
                    r.state().map(PowerState::wireName).orElse(null),
                    r.at().toString(),
                    r.error().orElse(null));
        }
    }

    static NodeJson of(Node n, Map<String, Network> networks, Addressing addressing) {
        return of(n, networks, addressing, Optional.empty());
    }

    static NodeJson of(Node n, Map<String, Network> networks, Addressing addressing, Optional<PowerReading> power) {
        List<AddressJson> addrs = n.addresses().stream()
                .map(a -> {
                    Network net = networks.get(a.network());
                    String v6 = net == null
                            ? null
                            : addressing
                                    .ipv6(net, n.name())
                                    .map(Ipv6Prefix64::format)
                                    .orElse(null);
                    return new AddressJson(a.network(), a.ipv4().toString(), v6);
                })
                .toList();
        return new NodeJson(
                n.name(),
                n.macs().stream().map(MacAddress::toString).toList(),
                addrs,
                n.bootEnv(),
                n.targetOs().orElse(null),
                n.alive(),
                n.available(),
                n.state().wireName(),
                n.createdAt().toString(),
                n.updatedAt().toString(),
                n.hostKeys().stream()
                        .map(k -> new HostKeyJson(k.type(), k.fingerprint()))
                        .toList(),
                n.hostKeyMismatch()
                        .map(m -> new MismatchJson(m.type(), m.fingerprint().orElse(null), m.at().toString()))
                        .orElse(null),
                power.map(PowerJson::of).orElse(null));
    }
}
