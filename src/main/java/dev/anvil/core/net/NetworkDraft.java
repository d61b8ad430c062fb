package dev.anvil.core.net;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/** A network as written in the config file or an API request: plain text fields, validated into a {@link Network}. */
public record NetworkDraft(
        String name,
        Integer id,
        String cidr,
        String staticRange,
        String dhcpPool,
        String router,
        String domain,
        String v6prefix,
        String serverAddress,
        Boolean proxyDhcp) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

    /** Validates every field and returns the network, or throws with every problem found. */
    public Network validate() {
        List<Violation> v = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) {
            v.add(new Violation(
                    "name",
                    (name == null ? "is required" : "\"" + name + "\" is not valid")
                            + " (1 to 32 of a-z, 0-9, '-', '_', starting with a letter or digit)"));
        }
        if (id == null) {
            v.add(new Violation("id", "is required (0 to 65535; it is also the ULA subnet ID)"));
        } else if (id < 0 || id > 0xffff) {
            v.add(new Violation("id", id + " is outside 0..65535"));
        }
        Ipv4Cidr net = parse(v, "cidr", cidr, Ipv4Cidr::parse, true);
        Ipv4Range stat = parse(v, "staticRange", staticRange, Ipv4Range::parse, true);
        Ipv4Range pool = parse(v, "dhcpPool", dhcpPool, Ipv4Range::parse, false);
        Ipv4Address gw = parse(v, "router", router, Ipv4Address::parse, false);
        String dom = parse(v, "domain", domain, DomainName::normalize, true);
        V6Prefix v6 = parse(v, "v6prefix", v6prefix == null ? "auto" : v6prefix, V6Prefix::parse, true);
        Ipv4Address self = parse(v, "serverAddress", serverAddress, Ipv4Address::parse, false);
        if (net != null) {
            checkRange(v, "staticRange", stat, net);
            checkRange(v, "dhcpPool", pool, net);
            if (gw != null && !net.isHostAddress(gw)) {
                v.add(new Violation("router", gw + " is not a host address of " + net));
            }
            // Anvil's address may lie outside the network: a relayed network reaches Anvil through its relay.
            if (self != null && net.contains(self) && !net.isHostAddress(self)) {
                v.add(new Violation("serverAddress", self + " is the network or broadcast address of " + net));
            }
        }
        if (stat != null && pool != null && stat.overlaps(pool)) {
            v.add(new Violation("dhcpPool", pool + " overlaps the static range " + stat));
        }
        if (gw != null && pool != null && pool.contains(gw)) {
            v.add(new Violation("router", gw + " lies in the DHCP pool " + pool));
        }
        if (Boolean.TRUE.equals(proxyDhcp) && pool != null) {
            v.add(new Violation("dhcpPool", "a proxyDHCP network hands out no addresses: remove the pool"));
        }
        if (self != null && pool != null && pool.contains(self)) {
            v.add(new Violation("serverAddress", self + " lies in the DHCP pool " + pool));
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new Network(
                name,
                id,
                net,
                stat,
                Optional.ofNullable(pool),
                Optional.ofNullable(gw),
                dom,
                v6,
                Optional.ofNullable(self),
                Boolean.TRUE.equals(proxyDhcp));
    }

    private static void checkRange(List<Violation> v, String field, Ipv4Range range, Ipv4Cidr net) {
        if (range == null) {
            return;
        }
        if (!net.contains(range)) {
            v.add(new Violation(field, range + " is not inside " + net));
        } else if (!net.isHostAddress(range.start()) || !net.isHostAddress(range.end())) {
            v.add(new Violation(field, range + " includes the network or broadcast address of " + net));
        }
    }

    private static <T> T parse(
            List<Violation> v, String field, String text, Function<String, T> parser, boolean required) {
        if (text == null || text.isBlank()) {
            if (required) {
                v.add(new Violation(field, "is required"));
            }
            return null;
        }
        try {
            return parser.apply(text.trim());
        } catch (IllegalArgumentException e) {
            v.add(new Violation(field, e.getMessage()));
            return null;
        }
    }
}
