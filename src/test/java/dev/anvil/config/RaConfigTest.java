package dev.anvil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code ra:} section: defaults, the auto rule, bounds and the errors it reports. */
class RaConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private static final String NETS = """
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
          - {name: lab, id: 2, cidr: 10.0.2.0/24, staticRange: 10.0.2.10-10.0.2.20, domain: l.test, v6prefix: none}
        """;

    private AnvilConfig parse(String yaml) {
        return loader.parse(yaml + NETS, "test");
    }

    private List<String> problems(String yaml) {
        return assertThrows(InvalidInputException.class, () -> parse(yaml)).violations().stream()
                .map(Violation::toString)
                .toList();
    }

    @Test
    void defaults() {
        RaConfig ra = parse("").ra();
        assertEquals(RaConfig.defaults(), ra);
        assertEquals(Optional.empty(), ra.enabled());
        assertEquals(Path.of("/usr/sbin/radvd"), ra.radvd());
        assertFalse(ra.router());
        assertTrue(ra.managed());
        assertFalse(ra.autonomous());
        assertEquals(10, ra.minInterval());
        assertEquals(30, ra.maxInterval());
        assertEquals(Map.of(), ra.interfaces());
        assertEquals(Optional.empty(), ra.dns());
        assertEquals(RaConfig.defaults(), loader.embeddedDefault().ra());
    }

    @Test
    void autoIsOnWithDhcpInterfacesAndAV6NetworkAndAnOptionTurnsItOff() {
        AnvilConfig withIfs = parse("dhcp: {interfaces: [eth1]}\n");
        assertTrue(withIfs.ra().active(withIfs.dhcp(), withIfs.networks()));
        AnvilConfig noIfs = parse("");
        assertFalse(noIfs.ra().active(noIfs.dhcp(), noIfs.networks()), "no DHCP interface: loopback set-ups");
        AnvilConfig dhcpOff = parse("dhcp: {enabled: false, interfaces: [eth1]}\n");
        assertFalse(dhcpOff.ra().active(dhcpOff.dhcp(), dhcpOff.networks()));
        AnvilConfig off = parse("dhcp: {interfaces: [eth1]}\nra: {enabled: false}\n");
        assertFalse(off.ra().active(off.dhcp(), off.networks()), "a router sends RAs already");
        AnvilConfig on = parse("ra: {enabled: true}\n");
        assertTrue(on.ra().active(on.dhcp(), on.networks()));
        AnvilConfig v4 = loader.parse("""
        dhcp: {interfaces: [eth1]}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test,
             serverAddress: 10.0.0.1, v6prefix: none}
        """, "test");
        assertFalse(v4.ra().active(v4.dhcp(), v4.networks()), "no network has a v6 prefix");
    }

    @Test
    void everyFieldAsWritten() {
        RaConfig ra = parse("""
        ra:
          enabled: true
          radvd: /opt/radvd/sbin/radvd
          router: true
          managed: false
          autonomous: true
          minInterval: 5
          maxInterval: 60
          interfaces: {admin: eth1, lab: "eth2.100"}
          dns: ["fd00:0:0:1:0:0:0:53", "2001:db8::1"]
        """).ra();
        assertEquals(
                new RaConfig(
                        Optional.of(true),
                        Path.of("/opt/radvd/sbin/radvd"),
                        true,
                        false,
                        true,
                        5,
                        60,
                        Map.of("admin", "eth1", "lab", "eth2.100"),
                        Optional.of(List.of("fd00:0:0:1::53", "2001:db8::1"))),
                ra);
        assertEquals(180, ra.routerLifetime());
        assertEquals(20, parse("ra: {maxInterval: 60}\n").ra().minInterval(), "a third of the maximum");
        assertEquals(3, parse("ra: {maxInterval: 4}\n").ra().minInterval(), "at least 3 s");
        assertEquals(Optional.of(List.of()), parse("ra: {dns: []}\n").ra().dns(), "no RDNSS");
    }

    @Test
    void badValuesAreErrorsWithTheirField() {
        assertEquals(
                List.of(
                        "ra.radvd: \"radvd\" is not an absolute path",
                        "ra.maxInterval: 3 is outside 4..1800",
                        "ra.minInterval: 3 is outside 3..0.75 x maxInterval (3): RFC 4861 section 6.2.1"),
                problems("ra: {radvd: radvd, minInterval: 3, maxInterval: 3}\n"));
        assertEquals(
                List.of("ra.minInterval: 25 is outside 3..0.75 x maxInterval (30): RFC 4861 section 6.2.1"),
                problems("ra: {minInterval: 25}\n"));
        assertEquals(
                List.of(
                        "ra.interfaces.admin: \"eth 1\" is not an interface name",
                        "ra.interfaces.lab: \"a-very-long-interface-name\" is not an interface name"),
                problems("ra: {interfaces: {admin: \"eth 1\", lab: a-very-long-interface-name}}\n"));
        assertEquals(
                List.of("ra.interfaces.lab: \"eth1\" is named for another network too (one per link)"),
                problems("ra: {interfaces: {admin: eth1, lab: eth1}}\n"));
        assertEquals(
                List.of("ra.interfaces.storage: \"storage\" is not one of the networks"),
                problems("ra: {interfaces: {storage: eth3}}\n"));
        assertEquals(
                List.of(
                        "ra.dns[0]: \"10.0.0.1\" is not an IPv6 address",
                        "ra.dns[1]: \"dns.example\" is not an IPv6 address",
                        "ra.dns[2]: \"fe80::1\" is not an IPv6 address a host can use on the link (not ::, ::1,"
                                + " link-local or multicast)",
                        "ra.dns[3]: \"ff02::1\" is not an IPv6 address a host can use on the link (not ::, ::1,"
                                + " link-local or multicast)"),
                problems("ra: {dns: [10.0.0.1, dns.example, \"fe80::1\", \"ff02::1\"]}\n"));
        assertEquals(
                List.of("ra.dns: 4 addresses; radvd sends at most 3 per RDNSS option"),
                problems("ra: {dns: [\"fd00::1\", \"fd00::2\", \"fd00::3\", \"fd00::4\"]}\n"));
        assertEquals(List.of("ra.enable: unknown field"), problems("ra: {enable: false}\n"));
        assertEquals(
                List.of("ra.enabled: has the wrong type (Cannot deserialize value of type `java.lang.Boolean` from"
                        + " String \"auto\": only \"true\" or \"false\" recognized)"),
                problems("ra: {enabled: auto}\n"));
    }
}
