package dev.anvil.core.power;

import java.time.Duration;
import java.util.Objects;

/**
 * What a power action came to: the state the BMC reported after it (for {@code status}, the state itself) and how
 * long the BMC took.
 */
public record PowerResult(PowerAction action, PowerState state, Duration took) {
    public PowerResult {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(took, "took");
    }
}
