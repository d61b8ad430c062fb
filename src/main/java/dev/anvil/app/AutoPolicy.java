package dev.anvil.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.config.LifecycleConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * "Every discovered node whose inventory matches gets this OS": the first rule whose JSON pointers all hold
 * exactly the given text in the reported inventory names the OS. No rules (the default): nothing happens
 * on its own.
 */
public final class AutoPolicy {
    private final List<LifecycleConfig.AutoInstall> rules;

    public AutoPolicy(List<LifecycleConfig.AutoInstall> rules) {
        this.rules = List.copyOf(rules);
    }

    public Optional<String> osFor(JsonNode inventory) {
        for (LifecycleConfig.AutoInstall r : rules) {
            boolean all = true;
            for (Map.Entry<String, String> w : r.when().entrySet()) {
                JsonNode v = inventory.at(w.getKey());
                if (v.isMissingNode() || v.isContainerNode() || !v.asText().equals(w.getValue())) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return Optional.of(r.os());
            }
        }
        return Optional.empty();
    }
}
