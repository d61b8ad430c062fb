package dev.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.app.AutoPolicy;
import dev.anvil.config.LifecycleConfig;
import dev.anvil.core.InvalidInputException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Untrusted request bodies as the API reads them: {@link Json#read} into a tree and into each DTO, then what
 * the node-facing routes check on them: the registration (inventory, {@code mac}, {@code macs}), the
 * auto-install rules matched against it, the stored inventory read back as the admin API shows it, the
 * install callback's {@code hostKeys}, and a network body's validation. Allowed: a value, or a 4xx
 * ({@link ApiException} with a 4xx status, {@link InvalidInputException}); anything else would be a 500.
 * Seeds: the bodies the discovery image and the installers send, in {@code JsonFuzzTestInputs}.
 */
class JsonFuzzTest {
    final Json json = new Json();
    final AutoPolicy policy = new AutoPolicy(
            List.of(new LifecycleConfig.AutoInstall("debian-12", Map.of("/dmi/product", "KVM", "/cpu/0/cores", "4"))));

    @FuzzTest(maxDuration = "5s")
    void body(byte[] body) {
        JsonNode tree = outcome(() -> json.read(body, JsonNode.class));
        if (tree != null) {
            outcome(() -> LifecycleRoutes.registering(tree));
            policy.osFor(tree);
            // The registration stores the inventory as written here; GET .../inventory reads it back.
            byte[] stored = json.write(tree);
            assertEquals(tree, json.read(stored, JsonNode.class), "the stored inventory reads back");
            outcome(() -> LifecycleRoutes.hostKeys(tree.path("hostKeys")));
        }
        outcome(() -> json.read(body, NodeCreateJson.class));
        outcome(() -> json.read(body, NetworkJson.class).toDraft().validate());
    }

    /** The value, or null after a 4xx; anything else fails. */
    static <T> T outcome(Supplier<T> s) {
        try {
            T v = s.get();
            assertNotNull(v);
            return v;
        } catch (ApiException e) {
            int code = e.status().code();
            assertTrue(code >= 400 && code < 500, "status " + code + ": " + e.getMessage());
            assertNotNull(e.getMessage());
            return null;
        } catch (InvalidInputException e) {
            return null;
        }
    }
}
