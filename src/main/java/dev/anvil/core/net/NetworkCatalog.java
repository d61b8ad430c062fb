package dev.anvil.core.net;

import java.util.List;
import java.util.Optional;

/** The current networks, for the packet paths; replaced as a whole whenever networks change. */
public final class NetworkCatalog {
  private volatile List<Network> networks;

  public NetworkCatalog(List<Network> networks) {
    this.networks = List.copyOf(networks);
  }

  public void replace(List<Network> updated) {
    this.networks = List.copyOf(updated);
  }

  public List<Network> all() {
    return networks;
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
   * given network's {@code serverAddress}, else the first network's that has one, else loopback.
   */
  public String serverAddress(Optional<Network> preferred) {
    return preferred.flatMap(Network::serverAddress)
        .or(() -> networks.stream().flatMap(n -> n.serverAddress().stream()).findFirst())
        .map(Ipv4Address::toString).orElse("127.0.0.1");
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
