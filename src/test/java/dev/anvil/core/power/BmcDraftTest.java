package dev.anvil.core.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** BMC settings checked field by field; the password never in a string form. */
class BmcDraftTest {
    static List<String> fieldsAtFault(BmcDraft d) {
        return assertThrows(InvalidInputException.class, d::validate).violations().stream()
                .map(Violation::field)
                .toList();
    }

    @Test
    void defaultsForWhatIsLeftOut() {
        BmcDraft.Checked c =
                new BmcDraft(null, "10.0.0.5", null, "admin", "pw", null, null, null, null, null, null).validate();
        assertEquals("ipmi", c.driver());
        assertEquals(623, c.port());
        assertEquals(Privilege.ADMINISTRATOR, c.privilege());
        assertEquals(3, c.cipherSuite());
        assertTrue(c.verifyTls());
        assertTrue(c.uefi());
        assertEquals("pw", c.password().get().reveal());
        Bmc b = c.withSecret(new SecretRef("k", Instant.EPOCH));
        assertEquals("10.0.0.5:623", b.endpoint());
        assertEquals(
                Optional.empty(),
                new BmcDraft("ipmi", "bmc1.lab", 6230, "u", null, "operator", 17, false, false, null, null)
                        .validate()
                        .password());
        assertEquals(
                "[fd00::5]:623",
                new Bmc(
                                "ipmi",
                                "fd00::5",
                                623,
                                "u",
                                Privilege.USER,
                                3,
                                true,
                                true,
                                Optional.empty(),
                                Optional.empty(),
                                new SecretRef("k", Instant.EPOCH))
                        .endpoint());
    }

    @Test
    void everyFieldAtFaultIsNamed() {
        assertEquals(
                List.of("driver", "address", "port", "user", "password", "privilege", "cipherSuite"),
                fieldsAtFault(
                        new BmcDraft("telnet", "-oProxyCommand=x", 0, "", "", "root", 18, null, null, null, null)));
        assertEquals(
                List.of("address", "user"),
                fieldsAtFault(new BmcDraft(null, null, 65535, null, null, null, 0, null, null, null, null)));
        assertEquals(
                List.of("address"),
                fieldsAtFault(new BmcDraft(null, "a..b", null, "u", null, null, null, null, null, null, null)));
        assertEquals(
                List.of("address"),
                fieldsAtFault(
                        new BmcDraft(null, "10.0.0.5 -U x", null, "u", null, null, null, null, null, null, null)));
        assertEquals(
                List.of("port"),
                fieldsAtFault(new BmcDraft(null, "h", 65536, "u", null, null, null, null, null, null, null)));
        assertEquals(
                List.of("user"),
                fieldsAtFault(
                        new BmcDraft(null, "h", null, "seventeen-chars-x", null, null, null, null, null, null, null)));
        assertEquals(
                List.of("user"),
                fieldsAtFault(new BmcDraft(null, "h", null, "a b", null, null, null, null, null, null, null)));
        assertEquals(
                List.of("password"),
                fieldsAtFault(new BmcDraft(null, "h", null, "u", "x".repeat(21), null, null, null, null, null, null)));
        assertEquals(
                List.of("password"),
                fieldsAtFault(new BmcDraft(null, "h", null, "u", "tab\there", null, null, null, null, null, null)));
    }

    static BmcDraft redfish(String user, String password, String system, String pin) {
        return new BmcDraft("redfish", "bmc1.lab", null, user, password, null, null, null, null, system, pin);
    }

    @Test
    void redfishSettings() {
        BmcDraft.Checked c = redfish(
                        "a-redfish-user-longer-than-16",
                        "p".repeat(128),
                        "/redfish/v1/Systems/System.Embedded.1",
                        "AB:".repeat(31) + "AB")
                .validate();
        assertEquals(443, c.port(), "Redfish's default port");
        assertEquals(Optional.of("/redfish/v1/Systems/System.Embedded.1"), c.system());
        assertEquals(Optional.of("ab".repeat(32)), c.certificateSha256(), "colons dropped, lower case");
        Bmc b = c.withSecret(new SecretRef("k", Instant.EPOCH));
        assertEquals(Optional.of("ab".repeat(32)), b.certificateSha256());
        assertEquals(Optional.empty(), redfish("u", "p", null, null).validate().system());
        assertEquals(
                Optional.of("0123456789abcdef".repeat(4)),
                redfish("u", null, null, "0123456789ABCDEF".repeat(4))
                        .validate()
                        .certificateSha256());

        assertEquals(List.of("user"), fieldsAtFault(redfish("x".repeat(65), null, null, null)));
        assertEquals(List.of("user"), fieldsAtFault(redfish("a:b", null, null, null)));
        assertEquals(List.of("password"), fieldsAtFault(redfish("u", "p".repeat(129), null, null)));
        for (String bad : List.of(
                "/redfish/v1/",
                "/redfish/v1/Systems/../../x",
                "/redfish/v1/Systems/1?x=y",
                "/other/1",
                "https://evil/redfish/v1/Systems/1",
                "/redfish/v1/Systems/ 1",
                "/redfish/v1/Systems/.")) {
            assertEquals(List.of("system"), fieldsAtFault(redfish("u", null, bad, null)), bad);
        }
        for (String bad : List.of(
                "ab".repeat(31), "ab".repeat(33), "g".repeat(64), "AB:".repeat(32) + "AB", "ab:".repeat(31) + "a:b")) {
            assertEquals(List.of("certificateSha256"), fieldsAtFault(redfish("u", null, null, bad)), bad);
        }
        assertEquals(
                List.of("system", "certificateSha256"),
                fieldsAtFault(new BmcDraft(
                        "ipmi",
                        "h",
                        null,
                        "u",
                        null,
                        null,
                        null,
                        null,
                        null,
                        "/redfish/v1/Systems/1",
                        "ab".repeat(32))),
                "Redfish settings on an IPMI BMC");
    }

    @Test
    void thePasswordNeverShowsInAStringForm() {
        BmcDraft d = new BmcDraft(null, "h", null, "u", "hunter2-pw", null, null, null, null, null, null);
        assertFalse(d.toString().contains("hunter2"), d.toString());
        assertFalse(d.validate().toString().contains("hunter2"), d.validate().toString());
        assertFalse(new BmcAccess(d.validate().withSecret(new SecretRef("k", Instant.EPOCH)), new Secret("hunter2-pw"))
                .toString()
                .contains("hunter2"));
        assertEquals("***", new Secret("hunter2-pw").toString());
    }

    @Test
    void powerActionsByWireName() {
        assertEquals(Optional.of(PowerAction.SOFT_OFF), PowerAction.parse("soft-off"));
        assertEquals(Optional.of(PowerAction.CYCLE), PowerAction.parse("cycle"));
        assertEquals(Optional.empty(), PowerAction.parse("reboot"));
        assertEquals("auth-failed", PowerException.Kind.AUTH_FAILED.wireName());
    }
}
