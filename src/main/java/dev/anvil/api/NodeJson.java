package dev.anvil.api;

import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Ipv6Prefix64;
import dev.anvil.core.net.Network;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import java.util.List;
import java.util.Map;

/** A node as the API shows it, with each address's derived IPv6 address. */
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
    String updatedAt) {

  public record AddressJson(String network, String ipv4, String ipv6) {}

  static NodeJson of(Node n, Map<String, Network> networks, Addressing addressing) {
    List<AddressJson> addrs = n.addresses().stream().map(a -> {
      Network net = networks.get(a.network());
      String v6 = net == null ? null
          : addressing.ipv6(net, n.name()).map(Ipv6Prefix64::format).orElse(null);
      return new AddressJson(a.network(), a.ipv4().toString(), v6);
    }).toList();
    return new NodeJson(n.name(), n.macs().stream().map(MacAddress::toString).toList(), addrs, n.bootEnv(),
        n.targetOs().orElse(null), n.alive(), n.available(), n.state().wireName(), n.createdAt().toString(),
        n.updatedAt().toString());
  }
}
