package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** The {@code dhcp6:} section as written. */
record Dhcp6Draft(
        Boolean enabled,
        List<String> interfaces,
        Integer port,
        Integer preferredLifetime,
        Integer validLifetime,
        List<String> dnsServers) {

    Dhcp6Config validate() {
        List<Violation> v = new ArrayList<>();
        Dhcp6Config d = Dhcp6Config.defaults();
        List<String> ifs = interfaces == null ? List.of() : interfaces;
        for (int i = 0; i < ifs.size(); i++) {
            String n = ifs.get(i);
            if (n == null
                    || n.isEmpty()
                    || n.length() > 15
                    || !n.chars().allMatch(c -> c > ' ' && c < 127 && c != '/')) {
                v.add(new Violation("interfaces[" + i + "]", "\"" + n + "\" is not an interface name"));
            }
        }
        Drafts.range(v, "port", port, 1, 65535);
        Drafts.range(v, "preferredLifetime", preferredLifetime, 60, 365 * 86400);
        Drafts.range(v, "validLifetime", validLifetime, 60, 365 * 86400);
        long pref = preferredLifetime == null ? d.preferredLifetime() : preferredLifetime;
        long valid = validLifetime == null ? Math.max(d.validLifetime(), pref) : validLifetime;
        if (valid < pref) {
            v.add(new Violation("validLifetime", valid + " s is shorter than preferredLifetime " + pref + " s"));
        }
        List<Inet6Address> dns = new ArrayList<>();
        List<String> given = dnsServers == null ? List.of() : dnsServers;
        for (int i = 0; i < given.size(); i++) {
            String s = given.get(i);
            // Only hex digits, colons and dots: never let InetAddress fall back to a name lookup.
            if (s != null
                    && s.indexOf(':') >= 0
                    && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                try {
                    if (InetAddress.getByName(s) instanceof Inet6Address a) {
                        dns.add(a);
                        continue;
                    }
                } catch (java.net.UnknownHostException e) {
                    // reported below
                }
            }
            v.add(new Violation("dnsServers[" + i + "]", "\"" + s + "\" is not an IPv6 address"));
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new Dhcp6Config(
                java.util.Optional.ofNullable(enabled), ifs, port == null ? d.port() : port, pref, valid, dns);
    }
}
