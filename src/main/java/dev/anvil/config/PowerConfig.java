package dev.anvil.config;

import java.time.Duration;

/**
 * The periodic power-state poll of the nodes' BMCs (doc/power.md#power-state).
 *
 * @param pollInterval how often every node with a BMC is asked its power state; zero: never (the state is then
 *     what the last action or task saw)
 * @param pollConcurrency how many BMCs are asked at once
 */
public record PowerConfig(Duration pollInterval, int pollConcurrency) {
    public static PowerConfig defaults() {
        return new PowerConfig(Duration.ofSeconds(60), 32);
    }
}
