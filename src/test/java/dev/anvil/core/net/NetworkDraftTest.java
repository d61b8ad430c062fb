package dev.anvil.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkDraftTest {
    static NetworkDraft draft(String cidr, String stat, String pool, String router) {
        return new NetworkDraft("admin", 1, cidr, stat, pool, router, "cluster.test", "auto", null, null);
    }

    static List<Violation> problems(NetworkDraft d) {
        return assertThrows(InvalidInputException.class, d::validate).violations();
    }

    @Test
    void validNetwork() {
        Network n = draft("10.10.0.0/24", "10.10.0.10-10.10.0.99", "10.10.0.100-10.10.0.199", "10.10.0.1")
                .validate();
        assertEquals("10.10.0.0/24", n.cidr().toString());
        assertTrue(n.isReservable(Ipv4Address.parse("10.10.0.5")));
        assertFalse(n.isReservable(Ipv4Address.parse("10.10.0.1")), "router");
        assertFalse(n.isReservable(Ipv4Address.parse("10.10.0.150")), "pool");
        assertFalse(n.isReservable(Ipv4Address.parse("10.10.0.255")), "broadcast");
        assertFalse(n.isReservable(Ipv4Address.parse("10.10.1.5")), "outside");
        assertEquals(n, n.toDraft().validate());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.0/33 | 10.0.0.10-10.0.0.20 | | | cidr | 10.0.0.0/33 is not a valid IPv4 CIDR",
                "10.0.0.1/24 | 10.0.0.10-10.0.0.20 | | | cidr | 10.0.0.1/24 has host bits set (network is 10.0.0.0/24)",
                "10.0.0.0/24 | 10.0.1.10-10.0.1.20 | | | staticRange | 10.0.1.10-10.0.1.20 is not inside 10.0.0.0/24",
                "10.0.0.0/24 | 10.0.0.0-10.0.0.20 | | | staticRange | 10.0.0.0-10.0.0.20 includes the network or broadcast address of 10.0.0.0/24",
                "10.0.0.0/24 | 10.0.0.10-10.0.0.120 | 10.0.0.100-10.0.0.200 | | dhcpPool | 10.0.0.100-10.0.0.200 overlaps the static range 10.0.0.10-10.0.0.120",
                "10.0.0.0/24 | 10.0.0.10-10.0.0.20 | 10.0.0.100-10.0.0.200 | 10.0.0.150 | router | 10.0.0.150 lies in the DHCP pool 10.0.0.100-10.0.0.200",
                "10.0.0.0/24 | 10.0.0.20-10.0.0.10 | | | staticRange | 10.0.0.20-10.0.0.10 is not an IPv4 range (first-last): range 10.0.0.20-10.0.0.10 ends before it starts",
                "10.0.0.0/24 | 10.0.0.10-10.0.0.20 | | 10.0.0.256 | router | 10.0.0.256 is not an IPv4 address",
            })
    void eachProblemNamesItsField(String cidr, String stat, String pool, String router, String field, String msg) {
        List<Violation> v = problems(draft(cidr, stat, pool, router));
        assertEquals(List.of(new Violation(field, msg)), v);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        List<Violation> v =
                problems(new NetworkDraft("Bad Name", 70000, null, null, null, null, "-x-", "fe80::/10", null, null));
        assertEquals(
                List.of("name", "id", "cidr", "staticRange", "domain", "v6prefix"),
                v.stream().map(Violation::field).toList());
    }
}
