package dev.anvil.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.power.PowerException;
import dev.anvil.core.power.PowerException.Kind;
import dev.anvil.core.power.PowerState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The reading of ipmitool's answers, on outputs captured from {@code ipmitool -v} (1.8.19, Debian 12) against
 * OpenIPMI's ipmi_sim: {@code src/test/resources/power/ipmitool/<case>.{out,err,rc}}.
 */
class IpmitoolOutputTest {
    static IpmitoolOutput captured(String name) throws IOException {
        return new IpmitoolOutput(
                Integer.parseInt(resource(name + ".rc").trim()), resource(name + ".out"), resource(name + ".err"));
    }

    static String resource(String file) throws IOException {
        try (InputStream in = IpmitoolOutputTest.class.getResourceAsStream("/power/ipmitool/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static PowerException fails(Kind kind, Executable call) {
        PowerException e = assertThrows(PowerException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    @Test
    void powerStatusOnAndOff() throws Exception {
        assertEquals(PowerState.ON, captured("status-on").status());
        assertEquals(PowerState.OFF, captured("status-off").status());
    }

    @Test
    void powerControlsAreConfirmed() throws Exception {
        for (String c : new String[] {"on", "off", "cycle", "soft"}) {
            captured(c).control();
        }
        // a status answer is no confirmation of a power control, nor the reverse
        fails(Kind.FAILED, () -> captured("status-on").control());
        fails(Kind.FAILED, () -> captured("on").status());
    }

    @Test
    void bootDeviceIsConfirmedByName() throws Exception {
        captured("bootdev-pxe-efi").bootDevice("pxe");
        captured("bootdev-pxe-persistent").bootDevice("pxe");
        captured("bootdev-disk").bootDevice("disk");
        fails(Kind.FAILED, () -> captured("bootdev-disk").bootDevice("pxe"));
    }

    @Test
    void aBmcThatRefusesTheBootFlagsIsUnsupportedThoughIpmitoolExitsZero() throws Exception {
        IpmitoolOutput o = captured("unsupported-bootdev");
        assertEquals(0, o.exitCode());
        PowerException e = fails(Kind.UNSUPPORTED, () -> o.bootDevice("pxe"));
        assertTrue(e.getMessage().contains("Set Chassis Boot Parameter"), e.getMessage());
    }

    @Test
    void aBmcWithoutPowerControlIsUnsupported() throws Exception {
        PowerException e =
                fails(Kind.UNSUPPORTED, () -> captured("unsupported-on").control());
        assertTrue(e.getMessage().startsWith("Set Chassis Power Control to Up/On failed"), e.getMessage());
    }

    @Test
    void aWrongPasswordOrUserOrPrivilegeIsAnAuthenticationFailure() throws Exception {
        PowerException e =
                fails(Kind.AUTH_FAILED, () -> captured("wrong-password").status());
        assertEquals("> RAKP 2 HMAC is invalid (ipmitool exit 1)", e.getMessage());
        fails(Kind.AUTH_FAILED, () -> captured("wrong-user").status());
        fails(Kind.AUTH_FAILED, () -> captured("user-priv-off").control());
    }

    @Test
    void nothingAnsweringOrNoSuchHostIsUnreachable() throws Exception {
        PowerException e = fails(Kind.UNREACHABLE, () -> captured("unreachable").status());
        assertEquals("Get Auth Capabilities error (ipmitool exit 1)", e.getMessage());
        e = fails(Kind.UNREACHABLE, () -> captured("unknown-host").status());
        assertTrue(e.getMessage().startsWith("Address lookup for no-such-bmc.invalid failed"), e.getMessage());
    }

    @Test
    void aCipherSuiteTheBmcLacksIsUnsupported() throws Exception {
        PowerException e = fails(Kind.UNSUPPORTED, () -> captured("bad-cipher").status());
        assertTrue(e.getMessage().contains("invalid authentication algorithm"), e.getMessage());
    }

    @Test
    void silenceIsAFailureWithTheFallbackAndALongMessageIsCut() {
        PowerException e = fails(Kind.FAILED, () -> new IpmitoolOutput(1, "", "").status());
        assertEquals("no power state in ipmitool's answer (ipmitool exit 1)", e.getMessage());
        e = fails(Kind.FAILED, () -> new IpmitoolOutput(1, "", "x".repeat(5000)).status());
        assertTrue(e.getMessage().length() < IpmitoolOutput.MAX_MESSAGE + 40, e.getMessage());
    }
}
