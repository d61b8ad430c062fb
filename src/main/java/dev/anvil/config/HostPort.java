package dev.anvil.config;

import java.net.InetSocketAddress;

/** A listen address: {@code host:port}, {@code [v6]:port}; port 0 asks the OS for a free one. */
public record HostPort(String host, int port) {

    public static HostPort parse(String text) {
        String bad = "\"" + text + "\" is not ADDRESS:PORT";
        if (text == null) {
            throw new IllegalArgumentException("an ADDRESS:PORT is required");
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(bad);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException(bad + " (write IPv6 addresses as [addr]:port)");
        }
        String port = text.substring(colon + 1);
        if (!port.chars().allMatch(c -> c >= '0' && c <= '9') || port.length() > 5 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException(bad + " (port must be 0 to 65535)");
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
