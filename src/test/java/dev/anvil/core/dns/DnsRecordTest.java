package dev.anvil.core.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsRecordTest {
    @Test
    void eachTypeIsNormalised() {
        assertEquals(
                new DnsRecord(0, "www.cluster.test", DnsRecord.Type.A, "10.0.0.1", 0),
                DnsRecord.of("WWW.Cluster.Test.", "a", " 10.0.0.1 ", null));
        assertEquals(
                "fd00:1:0:0:0:0:0:51",
                DnsRecord.of("x.t", "AAAA", "fd00:1::51", 60).data());
        assertEquals(
                "n1.cluster.test",
                DnsRecord.of("x.t", "CNAME", "N1.cluster.test.", null).data());
        assertEquals(
                "10 5 8081 n1.t",
                DnsRecord.of("_http._tcp.t", "SRV", "10  5 8081 N1.t.", null).data());
        assertEquals(
                "0 0 0 .", DnsRecord.of("_none._tcp.t", "SRV", "0 0 0 .", null).data());
        assertEquals(
                "k=v with spaces",
                DnsRecord.of("x.t", "TXT", "k=v with spaces", null).data());
        assertEquals(60, DnsRecord.of("x.t", "A", "10.0.0.1", 60).ttl());
    }

    @Test
    void everyProblemIsNamedByItsField() {
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> DnsRecord.of("bad name!", "MX", "x", -1));
        assertEquals(
                List.of("name", "type", "ttl"),
                e.violations().stream().map(Violation::field).toList());
        assertField("data", () -> DnsRecord.of("x.t", "A", "300.1.1.1", null));
        assertField("data", () -> DnsRecord.of("x.t", "A", "", null));
        assertField("data", () -> DnsRecord.of("x.t", "AAAA", "10.0.0.1", null));
        assertField("data", () -> DnsRecord.of("x.t", "AAAA", "example.org", null)); // never a lookup
        assertField("data", () -> DnsRecord.of("x.t", "CNAME", "_under.t", null));
        assertField("data", () -> DnsRecord.of("x.t", "SRV", "1 2 70000 t", null));
        assertField("data", () -> DnsRecord.of("x.t", "SRV", "1 2 t", null));
        assertField("data", () -> DnsRecord.of("x.t", "TXT", "tab\there", null));
        assertField("data", () -> DnsRecord.of("x.t", "TXT", "x".repeat(DnsRecord.MAX_TXT + 1), null));
        assertField("name", () -> DnsRecord.of("a..t", "A", "10.0.0.1", null));
        assertField("name", () -> DnsRecord.of("x".repeat(64) + ".t", "A", "10.0.0.1", null));
        assertField("ttl", () -> DnsRecord.of("x.t", "A", "10.0.0.1", 604_801));
    }

    static void assertField(String field, org.junit.jupiter.api.function.Executable call) {
        InvalidInputException e = assertThrows(InvalidInputException.class, call);
        assertEquals(field, e.first().field(), e.getMessage());
    }
}
