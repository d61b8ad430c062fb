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
        BmcDraft.Checked c = new BmcDraft(null, "10.0.0.5", null, "admin", "pw", null, null, null, null).validate();
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
                new BmcDraft("ipmi", "bmc1.lab", 6230, "u", null, "operator", 17, false, false)
                        .validate()
                        .password());
        assertEquals(
                "[fd00::5]:623",
                new Bmc("ipmi", "fd00::5", 623, "u", Privilege.USER, 3, true, true, new SecretRef("k", Instant.EPOCH))
                        .endpoint());
    }

    @Test
    void everyFieldAtFaultIsNamed() {
        assertEquals(
                List.of("driver", "address", "port", "user", "password", "privilege", "cipherSuite"),
                fieldsAtFault(new BmcDraft("telnet", "-oProxyCommand=x", 0, "", "", "root", 18, null, null)));
        assertEquals(
                List.of("address", "user"),
                fieldsAtFault(new BmcDraft(null, null, 65535, null, null, null, 0, null, null)));
        assertEquals(
                List.of("address"), fieldsAtFault(new BmcDraft(null, "a..b", null, "u", null, null, null, null, null)));
        assertEquals(
                List.of("address"),
                fieldsAtFault(new BmcDraft(null, "10.0.0.5 -U x", null, "u", null, null, null, null, null)));
        assertEquals(List.of("port"), fieldsAtFault(new BmcDraft(null, "h", 65536, "u", null, null, null, null, null)));
        assertEquals(
                List.of("user"),
                fieldsAtFault(new BmcDraft(null, "h", null, "seventeen-chars-x", null, null, null, null, null)));
        assertEquals(
                List.of("user"), fieldsAtFault(new BmcDraft(null, "h", null, "a b", null, null, null, null, null)));
        assertEquals(
                List.of("password"),
                fieldsAtFault(new BmcDraft(null, "h", null, "u", "x".repeat(21), null, null, null, null)));
        assertEquals(
                List.of("password"),
                fieldsAtFault(new BmcDraft(null, "h", null, "u", "tab\there", null, null, null, null)));
    }

    @Test
    void thePasswordNeverShowsInAStringForm() {
        BmcDraft d = new BmcDraft(null, "h", null, "u", "hunter2-pw", null, null, null, null);
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
