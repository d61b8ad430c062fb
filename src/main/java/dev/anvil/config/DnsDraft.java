package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import dev.anvil.core.net.DomainName;
import java.util.ArrayList;
import java.util.List;

/** The {@code dns:} section as written. */
record DnsDraft(
        Boolean enabled,
        String listen,
        String serverName,
        Long ttl,
        Long negativeTtl,
        Integer udpPayload,
        List<String> secondaries,
        java.util.Map<String, String> aliases,
        List<String> forwarders,
        List<String> forwardFor,
        Integer forwardTimeoutMillis) {

    DnsConfig validate() {
        List<Violation> v = new ArrayList<>();
        HostPort hp = null;
        try {
            hp = HostPort.parse(listen == null ? "0.0.0.0:53" : listen);
        } catch (IllegalArgumentException e) {
            v.add(new Violation("listen", e.getMessage()));
        }
        String name = serverName == null ? "anvil" : serverName;
        try {
            if (DomainName.normalize(name).contains(".")) {
                v.add(new Violation("serverName", "is one label; the admin network's domain is appended"));
            }
        } catch (IllegalArgumentException e) {
            v.add(new Violation("serverName", e.getMessage()));
        }
        if (ttl != null && (ttl < 0 || ttl > 604_800)) {
            v.add(new Violation("ttl", ttl + " is outside 0..604800"));
        }
        if (negativeTtl != null && (negativeTtl < 0 || negativeTtl > 86_400)) {
            v.add(new Violation("negativeTtl", negativeTtl + " is outside 0..86400"));
        }
        if (udpPayload != null && (udpPayload < 512 || udpPayload > 4096)) {
            v.add(new Violation("udpPayload", udpPayload + " is outside 512..4096"));
        }
        List<HostPort> sec = servers(v, "secondaries", secondaries);
        List<HostPort> fwd = servers(v, "forwarders", forwarders);
        List<dev.anvil.core.net.Ipv4Cidr> fwdFor = new ArrayList<>();
        if (forwardFor != null) {
            for (int i = 0; i < forwardFor.size(); i++) {
                try {
                    fwdFor.add(dev.anvil.core.net.Ipv4Cidr.parse(forwardFor.get(i)));
                } catch (IllegalArgumentException e) {
                    v.add(new Violation("forwardFor[" + i + "]", e.getMessage()));
                }
            }
        }
        if (forwardTimeoutMillis != null && (forwardTimeoutMillis < 100 || forwardTimeoutMillis > 30_000)) {
            v.add(new Violation("forwardTimeoutMillis", forwardTimeoutMillis + " is outside 100..30000"));
        }
        java.util.Map<String, String> cnames = new java.util.LinkedHashMap<>();
        if (aliases != null) {
            aliases.forEach((alias, target) -> {
                try {
                    cnames.put(DomainName.normalize(alias), DomainName.normalize(target));
                } catch (IllegalArgumentException | NullPointerException e) {
                    v.add(new Violation(
                            "aliases." + alias, e.getMessage() == null ? "a target name is required" : e.getMessage()));
                }
            });
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new DnsConfig(
                enabled == null || enabled,
                hp,
                DomainName.normalize(name),
                ttl == null ? 300 : ttl,
                negativeTtl == null ? 60 : negativeTtl,
                udpPayload == null ? 1232 : udpPayload,
                sec,
                cnames,
                fwd,
                fwdFor,
                forwardTimeoutMillis == null ? 2000 : forwardTimeoutMillis);
    }

    /** ADDRESS or ADDRESS:PORT entries (port 53 by default). */
    private static List<HostPort> servers(List<Violation> v, String field, List<String> list) {
        List<HostPort> out = new ArrayList<>();
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                String s = list.get(i);
                try {
                    out.add(
                            s != null
                                            && (s.contains("]:")
                                                    || (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':')))
                                    ? HostPort.parse(s)
                                    : new HostPort(s, 53));
                } catch (IllegalArgumentException | NullPointerException e) {
                    v.add(new Violation(field + "[" + i + "]", "\"" + s + "\" is not ADDRESS or ADDRESS:PORT"));
                }
            }
        }
        return out;
    }
}
