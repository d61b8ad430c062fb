package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code ra:} section as written. */
record RaDraft(
        Boolean enabled,
        String radvd,
        Boolean router,
        Boolean managed,
        Boolean autonomous,
        Integer minInterval,
        Integer maxInterval,
        Map<String, String> interfaces,
        List<String> dns) {

    /** What RFC 4861 section 6.2.1 (and radvd) allow. */
    static final int MAX_MIN = 1350;

    RaConfig validate() {
        List<Violation> v = new ArrayList<>();
        RaConfig d = RaConfig.defaults();
        Path exe = d.radvd();
        if (radvd != null) {
            if (radvd.isBlank() || !radvd.startsWith("/")) {
                v.add(new Violation("radvd", "\"" + radvd + "\" is not an absolute path"));
            } else {
                exe = Path.of(radvd);
            }
        }
        Drafts.range(v, "maxInterval", maxInterval, 4, 1800);
        int max = maxInterval == null ? d.maxInterval() : maxInterval;
        int min = minInterval != null ? minInterval : Math.max(3, maxInterval == null ? d.minInterval() : max / 3);
        if (minInterval != null && (min < 3 || 4 * min > 3 * max)) {
            v.add(new Violation(
                    "minInterval", min + " is outside 3..0.75 x maxInterval (" + max + "): RFC 4861 section 6.2.1"));
        }
        Map<String, String> ifs = new LinkedHashMap<>();
        if (interfaces != null) {
            interfaces.forEach((net, name) -> {
                if (name == null || !name.matches(Drafts.INTERFACE_NAME)) {
                    v.add(new Violation("interfaces." + net, "\"" + name + "\" is not an interface name"));
                } else if (ifs.containsValue(name)) {
                    v.add(new Violation(
                            "interfaces." + net, "\"" + name + "\" is named for another network too (one per link)"));
                } else {
                    ifs.put(net, name);
                }
            });
        }
        Optional<List<String>> servers = Optional.empty();
        if (dns != null) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < dns.size(); i++) {
                try {
                    out.add(ipv6(dns.get(i)));
                } catch (IllegalArgumentException e) {
                    v.add(new Violation("dns[" + i + "]", e.getMessage()));
                }
            }
            if (out.size() > 3) {
                v.add(new Violation("dns", out.size() + " addresses; radvd sends at most 3 per RDNSS option"));
            }
            servers = Optional.of(out);
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new RaConfig(
                Optional.ofNullable(enabled),
                exe,
                router != null && router,
                managed == null || managed,
                autonomous != null && autonomous,
                min,
                max,
                ifs,
                servers);
    }

    /** A unicast IPv6 address literal, in canonical text (never a name lookup). */
    static String ipv6(String s) {
        String bad = "\"" + s + "\" is not an IPv6 address";
        if (s == null
                || s.indexOf(':') < 0
                || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            throw new IllegalArgumentException(bad);
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(bad);
        }
        if (!(a instanceof Inet6Address)
                || a.isMulticastAddress()
                || a.isAnyLocalAddress()
                || a.isLoopbackAddress()
                || a.isLinkLocalAddress()) {
            throw new IllegalArgumentException(
                    bad + " a host can use on the link (not ::, ::1, link-local or" + " multicast)");
        }
        return dev.anvil.core.net.Ipv6Prefix64.format((Inet6Address) a);
    }
}
