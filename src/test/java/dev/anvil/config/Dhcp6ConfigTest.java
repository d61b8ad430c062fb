package dev.anvil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code dhcp6:} section: defaults, the auto rule, bounds and the errors it reports. */
class Dhcp6ConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    private static final String NETS = """
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
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
    void onByTheSameRuleAsRouterAdvertisements() {
        AnvilConfig plain = parse("");
        assertEquals(Dhcp6Config.defaults(), plain.dhcp6());
        assertFalse(plain.dhcp6().active(plain.dhcp(), plain.networks()), "no dhcp.interfaces: off");
        AnvilConfig served = parse("dhcp: {interfaces: [eth1]}\n");
        assertTrue(served.dhcp6().active(served.dhcp(), served.networks()), "interfaces and a v6 prefix: on");
        assertEquals(List.of("eth1"), served.dhcp6().interfaces(served.dhcp()));
        AnvilConfig off = parse("dhcp: {interfaces: [eth1]}\ndhcp6: {enabled: false}\n");
        assertFalse(off.dhcp6().active(off.dhcp(), off.networks()));
        AnvilConfig own = parse("dhcp6: {enabled: true, interfaces: [eth2], port: 10547}\n");
        assertTrue(own.dhcp6().active(own.dhcp(), own.networks()));
        assertEquals(List.of("eth2"), own.dhcp6().interfaces(own.dhcp()));
        assertEquals(10547, own.dhcp6().port());
    }

    @Test
    void everyField() throws Exception {
        Dhcp6Config c = parse("dhcp6: {enabled: true, interfaces: [eth1], preferredLifetime: 600, validLifetime: 900,"
                        + " dnsServers: [\"fd00::53\"]}\n")
                .dhcp6();
        assertEquals(600, c.preferredLifetime());
        assertEquals(900, c.validLifetime());
        assertEquals(List.of(InetAddress.getByName("fd00::53")), c.dnsServers());
    }

    @Test
    void problemsAreReportedWithTheirField() {
        assertEquals(
                List.of(
                        "dhcp6.interfaces: at least one interface is required when dhcp6 is enabled (or dhcp.interfaces)"),
                problems("dhcp6: {enabled: true}\n"));
        List<String> p =
                problems("dhcp6: {interfaces: [\"a/b\"], port: 0, preferredLifetime: 7200, validLifetime: 3600,"
                        + " dnsServers: [\"10.0.0.1\", \"name.example\"]}\n");
        assertTrue(p.contains("dhcp6.interfaces[0]: \"a/b\" is not an interface name"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("dhcp6.port:")), p.toString());
        assertTrue(p.contains("dhcp6.validLifetime: 3600 s is shorter than preferredLifetime 7200 s"), p.toString());
        assertTrue(p.contains("dhcp6.dnsServers[0]: \"10.0.0.1\" is not an IPv6 address"), p.toString());
        assertTrue(p.contains("dhcp6.dnsServers[1]: \"name.example\" is not an IPv6 address"), p.toString());
        assertTrue(problems("dhcp6: {bogus: 1}\n").get(0).startsWith("dhcp6"));
    }
}
