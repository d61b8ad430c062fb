package dev.anvil.core.boot;

import dev.anvil.core.net.ClientAddress;
import dev.anvil.core.net.Ipv4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The two ends of a request for a generated boot file, in either family: the client's source address and the
 * server address it reached ({@code server} empty when the listener cannot tell, e.g. a wildcard UDP socket).
 * A client that came over IPv6 gets URLs naming the IPv6 address it reached, in brackets; over IPv4 (an
 * IPv4-mapped address on a dual-stack socket included) the network's {@code serverAddress}, as before.
 */
public record BootClient(InetAddress client, Optional<InetAddress> server) {

    public BootClient {
        java.util.Objects.requireNonNull(client, "client");
        server = server == null ? Optional.empty() : server;
    }

    /** An IPv4 client whose server address is left to the network's {@code serverAddress}. */
    public static BootClient v4(Ipv4Address client) {
        return new BootClient(client.toInetAddress(), Optional.empty());
    }

    public Optional<Ipv4Address> ipv4() {
        return ClientAddress.ipv4(client);
    }

    public Optional<Inet6Address> ipv6() {
        return ClientAddress.ipv6(client);
    }

    /**
     * The IPv6 address the client reached, when it came over IPv6 and that address is a specific one (not the
     * unspecified {@code ::} of a wildcard socket, not link-local: a URL cannot carry the zone a link-local address
     * needs).
     */
    public Optional<Inet6Address> v6Server() {
        if (ipv6().isEmpty()) {
            return Optional.empty();
        }
        return server.flatMap(ClientAddress::ipv6).filter(a -> !a.isAnyLocalAddress() && !a.isLinkLocalAddress());
    }

    /** The host part of a URL for the server this client reached: {@code [v6]} over IPv6, else {@code ipv4}. */
    public String host(Ipv4Address ipv4Server) {
        return v6Server().map(ClientAddress::urlHost).orElse(ipv4Server.toString());
    }
}
