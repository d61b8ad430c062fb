package dev.anvil.config;

import java.util.List;

/**
 * The authoritative DNS server.
 *
 * @param listen UDP and TCP address (0.0.0.0:53)
 * @param serverName Anvil's own host label in the admin network's domain (NS and SOA name), default "anvil"
 * @param ttl TTL of node records
 * @param negativeTtl SOA minimum: how long resolvers may cache NXDOMAIN and NODATA
 * @param udpPayload the EDNS0 UDP payload size Anvil advertises and answers within (RFC 9715's 1232)
 * @param secondaries addresses (host or host:port) allowed to transfer the zones (AXFR) and sent NOTIFY
 * @param aliases CNAMEs: alias FQDN (inside one of Anvil's zones) to target FQDN
 * @param forwarders upstream resolvers for names outside Anvil's zones (empty: REFUSED, never a resolver)
 * @param forwardFor client networks that may use the forwarders (empty: the CIDRs of Anvil's networks)
 * @param forwardTimeoutMillis how long an upstream may take before the client gets SERVFAIL
 */
public record DnsConfig(
        boolean enabled,
        HostPort listen,
        String serverName,
        long ttl,
        long negativeTtl,
        int udpPayload,
        List<HostPort> secondaries,
        java.util.Map<String, String> aliases,
        List<HostPort> forwarders,
        List<dev.anvil.core.net.Ipv4Cidr> forwardFor,
        int forwardTimeoutMillis) {
    public DnsConfig {
        secondaries = List.copyOf(secondaries);
        aliases = java.util.Map.copyOf(aliases);
        forwarders = List.copyOf(forwarders);
        forwardFor = List.copyOf(forwardFor);
    }
}
