package dev.anvil.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.power.BootDevice;
import dev.anvil.core.power.PowerException;
import dev.anvil.core.power.PowerException.Kind;
import dev.anvil.core.power.PowerState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Redfish documents read and written, against DMTF-shaped documents in {@code power/redfish/}. */
class RedfishJsonTest {
    final RedfishJson json = new RedfishJson();

    static byte[] doc(String name) throws IOException {
        try (InputStream in = RedfishJsonTest.class.getResourceAsStream("/power/redfish/" + name)) {
            return in.readAllBytes();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Kind kind(Runnable r) {
        return assertThrows(PowerException.class, r::run).kind();
    }

    @Test
    void fromTheServiceRootToTheFirstSystem() throws IOException {
        assertEquals("/redfish/v1/Systems", json.systemsPath(doc("service-root.json")));
        assertEquals("/redfish/v1/Systems/System.Embedded.1", json.firstMember(doc("systems.json")));
        PowerException none = assertThrows(
                PowerException.class, () -> json.firstMember(utf8("{\"Members\":[],\"Members@odata.count\":0}")));
        assertEquals(Kind.FAILED, none.kind());
        assertEquals("the Systems collection has no member", none.getMessage());
        assertEquals(Kind.FAILED, kind(() -> json.systemsPath(utf8("{\"Id\":\"RootService\"}"))));
        assertEquals(Kind.FAILED, kind(() -> json.systemsPath(utf8("<html>login</html>"))));
        assertEquals(Kind.FAILED, kind(() -> json.systemsPath(utf8("[1]"))));
    }

    @Test
    void linksToAnotherHostAreRefused() {
        for (String id : List.of("https://elsewhere/redfish/v1/Systems", "//elsewhere/x", "Systems", "/a b")) {
            PowerException e = assertThrows(
                    PowerException.class,
                    () -> json.systemsPath(utf8("{\"Systems\":{\"@odata.id\":\"" + id + "\"}}")),
                    id);
            assertTrue(e.getMessage().contains("is not a path on this BMC"), e.getMessage());
        }
    }

    @Test
    void aComputerSystemWithInlineAllowableValues() throws IOException {
        RedfishJson.ComputerSystem s = json.system(doc("system.json"));
        assertEquals(PowerState.ON, s.state());
        assertEquals(
                Optional.of("/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset"), s.resetTarget());
        assertEquals(
                Optional.of(List.of("On", "ForceOff", "GracefulShutdown", "ForceRestart", "Nmi", "PushPowerButton")),
                s.allowedResets());
        assertEquals(Optional.empty(), s.resetActionInfo());
        assertEquals(Optional.of(List.of("None", "Pxe", "Cd", "Usb", "Hdd", "BiosSetup")), s.allowedBootTargets());
        assertTrue(s.hasBootMode());
        assertEquals(Optional.of("None"), s.boot("BootSourceOverrideTarget"));
    }

    @Test
    void aComputerSystemWithAnActionInfo() throws IOException {
        RedfishJson.ComputerSystem s = json.system(doc("system-actioninfo.json"));
        assertEquals(PowerState.OFF, s.state(), "PoweringOff is where it is going");
        assertEquals(Optional.empty(), s.allowedResets());
        assertEquals(Optional.of("/redfish/v1/Systems/1/ResetActionInfo"), s.resetActionInfo());
        assertEquals(Optional.empty(), s.allowedBootTargets());
        assertFalse(s.hasBootMode());
        assertEquals(
                Optional.of(List.of("On", "ForceOff", "PowerCycle")),
                json.actionInfoResetTypes(doc("reset-actioninfo.json")));
        assertEquals(Optional.empty(), json.actionInfoResetTypes(utf8("{\"Parameters\":[]}")));
    }

    @Test
    void powerStates() {
        for (var c : List.of(
                List.of("On", "ON"), List.of("PoweringOn", "ON"), List.of("Paused", "ON"), List.of("Off", "OFF"))) {
            assertEquals(
                    PowerState.valueOf(c.get(1)),
                    json.system(utf8("{\"PowerState\":\"" + c.get(0) + "\"}")).state(),
                    c.get(0));
        }
        PowerException unknown = assertThrows(
                PowerException.class,
                () -> json.system(utf8("{\"PowerState\":\"Sleeping\"}")).state());
        assertEquals("unknown PowerState \"Sleeping\"", unknown.getMessage());
        assertEquals(Kind.FAILED, kind(() -> json.system(utf8("{\"Id\":\"1\"}")).state()));
        RedfishJson.ComputerSystem bare = json.system(utf8("{\"PowerState\":\"On\"}"));
        assertEquals(Optional.empty(), bare.resetTarget());
        assertEquals(Optional.empty(), bare.boot());
    }

    @Test
    void theResetTypeIsTheFirstWantedThatTheBmcAllows() {
        Optional<List<String>> dell = Optional.of(List.of("On", "ForceOff", "GracefulShutdown", "ForceRestart"));
        assertEquals("ForceRestart", RedfishJson.resetType(List.of("PowerCycle", "ForceRestart"), dell, "cycle"));
        assertEquals(
                "PowerCycle",
                RedfishJson.resetType(
                        List.of("PowerCycle", "ForceRestart"), Optional.of(List.of("PowerCycle")), "cycle"));
        assertEquals("GracefulShutdown", RedfishJson.resetType(List.of("GracefulShutdown"), Optional.empty(), "x"));
        PowerException e = assertThrows(
                PowerException.class,
                () -> RedfishJson.resetType(
                        List.of("GracefulShutdown"), Optional.of(List.of("On", "ForceOff")), "soft-off"));
        assertEquals(Kind.UNSUPPORTED, e.kind());
        assertEquals(
                "the BMC does not allow reset type GracefulShutdown (for soft-off); it allows On, ForceOff",
                e.getMessage());
    }

    @Test
    void requestBodiesByteForByte() {
        assertEquals("{\"ResetType\":\"ForceOff\"}", new String(json.resetBody("ForceOff"), StandardCharsets.UTF_8));
        assertEquals(
                "{\"Boot\":{\"BootSourceOverrideTarget\":\"Pxe\",\"BootSourceOverrideEnabled\":\"Once\","
                        + "\"BootSourceOverrideMode\":\"UEFI\"}}",
                new String(json.bootBody(BootDevice.PXE, true, Optional.of(true)), StandardCharsets.UTF_8));
        assertEquals(
                "{\"Boot\":{\"BootSourceOverrideTarget\":\"Hdd\",\"BootSourceOverrideEnabled\":\"Continuous\","
                        + "\"BootSourceOverrideMode\":\"Legacy\"}}",
                new String(json.bootBody(BootDevice.DISK, false, Optional.of(false)), StandardCharsets.UTF_8));
        assertEquals(
                "{\"Boot\":{\"BootSourceOverrideTarget\":\"Pxe\",\"BootSourceOverrideEnabled\":\"Once\"}}",
                new String(json.bootBody(BootDevice.PXE, true, Optional.empty()), StandardCharsets.UTF_8),
                "no mode for a system that has none");
    }

    @Test
    void redfishErrors() throws IOException {
        byte[] notAllowed = doc("error-not-allowed.json");
        assertTrue(json.unsupported(notAllowed));
        assertEquals(
                Optional.of("A general error has occurred. See ExtendedInfo for more information.; "
                        + "Base.1.16.ActionParameterValueNotInList: The value 'PowerCycle' for the parameter "
                        + "ResetType in the action ComputerSystem.Reset is not in the list of acceptable values."),
                json.errorText(notAllowed));
        byte[] privilege = doc("error-insufficient-privilege.json");
        assertFalse(json.unsupported(privilege));
        assertTrue(json.errorText(privilege).get().contains("Base.1.16.InsufficientPrivilege: There are"));
        assertEquals(Optional.empty(), json.errorText(utf8("<html>Internal Server Error</html>")));
        assertFalse(json.unsupported(utf8("")));
        String longMessage = "{\"error\":{\"message\":\"" + "x".repeat(1000) + "\"}}";
        assertEquals(
                RedfishJson.MAX_MESSAGE + 3,
                json.errorText(utf8(longMessage)).get().length());
    }
}
