package dev.anvil.api;

import dev.anvil.core.net.Addressing;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkDraft;

/** A network as the API shows it and accepts it; {@code ipv6Prefix} (output only) is the resolved /64. */
public record NetworkJson(
        String name,
        Integer id,
        String cidr,
        String staticRange,
        String dhcpPool,
        String router,
        String domain,
        String v6prefix,
        String serverAddress,
        Boolean proxyDhcp,
        String ipv6Prefix) {

    static NetworkJson of(Network n, Addressing addressing) {
        NetworkDraft d = n.toDraft();
        return new NetworkJson(
                d.name(),
                d.id(),
                d.cidr(),
                d.staticRange(),
                d.dhcpPool(),
                d.router(),
                d.domain(),
                d.v6prefix(),
                d.serverAddress(),
                n.proxyDhcp(),
                addressing.prefix(n).map(Object::toString).orElse(null));
    }

    NetworkDraft toDraft() {
        if (ipv6Prefix != null) {
            throw ApiException.badRequest("ipv6Prefix is derived; set v6prefix instead", "ipv6Prefix");
        }
        return new NetworkDraft(
                name, id, cidr, staticRange, dhcpPool, router, domain, v6prefix, serverAddress, proxyDhcp);
    }
}
