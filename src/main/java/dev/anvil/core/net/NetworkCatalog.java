package dev.anvil.core.net;

import java.util.List;
import java.util.Optional;

/**
 * The current networks, for the packet paths; replaced as a whole whenever networks change. Each
 * replacement has the next version; {@link #refresh} reads the store under the catalog's lock, so of two
 * refreshes racing after two commits the later read is the one that stays (no rollback to an older list).
 */
public final class NetworkCatalog {
    /** The networks and the version of the replacement that brought them (1: the first). */
    public record Snapshot(List<Network> networks, long version) {}

    private volatile Snapshot current;
    private volatile List<Network> networks;

    public NetworkCatalog(List<Network> networks) {
        this.current = new Snapshot(List.copyOf(networks), 1);
        this.networks = current.networks();
    }

    /** Replaces the networks with what {@code read} returns (the store's list, read now). */
    public synchronized void refresh(java.util.function.Supplier<? extends List<Network>> read) {
        current = new Snapshot(List.copyOf(read.get()), current.version() + 1);
        networks = current.networks();
    }

    public List<Network> all() {
        return networks;
    }

    /** The networks with their version, taken together. */
    public Snapshot snapshot() {
        return current;
    }

    public Optional<Network> get(String name) {
        for (Network n : networks) { // a loop, not a stream: this runs for every DHCP packet
            if (n.name().equals(name)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    /**
     * The address machines reach Anvil at, for the URLs rendered into boot configs and answer files: the
     * given network's {@code serverAddress}, else the first network's that has one. Never a guess: the admin
     * network must have one (the configuration refuses to load otherwise, and the admin network can be neither
     * deleted nor changed through the API), so a catalog without any is a bug.
     */
    public String serverAddress(Optional<Network> preferred) {
        return preferred
                .flatMap(Network::serverAddress)
                .or(() -> networks.stream()
                        .flatMap(n -> n.serverAddress().stream())
                        .findFirst())
                .map(Ipv4Address::toString)
                .orElseThrow(
                        () -> new IllegalStateException("no network has a serverAddress to put into machines' URLs"));
    }

    /** The network whose CIDR holds the address. */
    public Optional<Network> containing(Ipv4Address a) {
        for (Network n : networks) {
            if (n.cidr().contains(a)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }
}
