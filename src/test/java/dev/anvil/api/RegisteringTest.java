package dev.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A registration body's machine architecture and firmware: optional, checked, 400 with the field when wrong. */
class RegisteringTest {
    private final Json json = new Json();

    private JsonNode body(String extra) {
        return json.read(
                ("{\"mac\":\"52:54:00:e2:e0:11\",\"macs\":[\"52:54:00:e2:e0:11\"]" + extra + "}")
                        .getBytes(StandardCharsets.UTF_8),
                JsonNode.class);
    }

    @Test
    void theDiscoveryImagesArchitectureAndFirmwareAreRead() {
        LifecycleRoutes.Registering r =
                LifecycleRoutes.registering(body(",\"architecture\":\"aarch64\",\"firmware\":\"uefi\""));
        assertEquals(Optional.of("aarch64"), r.architecture());
        assertEquals(Optional.of("uefi"), r.firmware());
        assertEquals("52:54:00:e2:e0:11", r.boot().toString());
    }

    @Test
    void anOlderImageWithoutThemStillRegisters() {
        LifecycleRoutes.Registering r = LifecycleRoutes.registering(body(""));
        assertEquals(Optional.empty(), r.architecture());
        assertEquals(Optional.empty(), r.firmware());
        LifecycleRoutes.Registering n = LifecycleRoutes.registering(body(",\"architecture\":null,\"firmware\":null"));
        assertEquals(Optional.empty(), n.architecture());
        assertEquals(Optional.empty(), n.firmware());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64", "armv7l", "i686", "riscv64", "ppc64le", "s390x", "loongarch64"})
    void everyUnameMachineNameIsAnArchitecture(String arch) {
        assertEquals(
                Optional.of(arch),
                LifecycleRoutes.registering(body(",\"architecture\":\"" + arch + "\""))
                        .architecture());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"\"",
                "\"a\"",
                "\"AARCH64\"",
                "\"x86-64\"",
                "\"aarch64 \"",
                "\"9arch\"",
                "\"aarch64\\n\"",
                "42",
                "true",
                "[\"aarch64\"]",
                "{\"name\":\"aarch64\"}",
                "\"a123456789012345678901234567890123\""
            })
    void anythingElseIsA400NamingTheField(String value) {
        ApiException e =
                assertThrows(ApiException.class, () -> LifecycleRoutes.registering(body(",\"architecture\":" + value)));
        assertEquals(400, e.status().code());
        assertTrue(
                e.getMessage().startsWith("architecture must be a machine name as uname -m prints it"), e.getMessage());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
        assertEquals("architecture", e.field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"UEFI\"", "\"efi\"", "\"\"", "1", "false", "[\"uefi\"]"})
    void aFirmwareOtherThanUefiOrBiosIsA400(String value) {
        ApiException e =
                assertThrows(ApiException.class, () -> LifecycleRoutes.registering(body(",\"firmware\":" + value)));
        assertEquals(400, e.status().code());
        assertTrue(e.getMessage().startsWith("firmware must be one of [uefi, bios], not "), e.getMessage());
        assertEquals("firmware", e.field());
        assertEquals(
                Optional.of("bios"),
                LifecycleRoutes.registering(body(",\"firmware\":\"bios\"")).firmware());
    }
}
