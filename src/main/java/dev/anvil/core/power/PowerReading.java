package dev.anvil.core.power;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The last word of a node's BMC (doc/power.md#power-state): the state it reported at {@code at}, or why it could not
 * be asked ({@code error}: the {@link PowerException} kind and message; the state is then the last one known, if
 * any). Kept in memory: a restart forgets it until the next poll.
 */
public record PowerReading(
        Optional<PowerState> state, Instant at, Optional<PowerException.Kind> errorKind, Optional<String> error) {
    public PowerReading {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(errorKind, "errorKind");
        Objects.requireNonNull(error, "error");
    }

    public static PowerReading of(PowerState state, Instant at) {
        return new PowerReading(Optional.of(state), at, Optional.empty(), Optional.empty());
    }

    /** A failed call: the state last known is kept, the error says why it is not current. */
    public static PowerReading failed(Optional<PowerState> lastKnown, Instant at, PowerException e) {
        return new PowerReading(
                lastKnown, at, Optional.of(e.kind()), Optional.of(e.kind().wireName() + ": " + e.getMessage()));
    }

    /** {@code on}, {@code off}, or {@code unreachable} / {@code auth-failed} / ... when the BMC did not answer. */
    public String summary() {
        return errorKind
                .map(PowerException.Kind::wireName)
                .orElseGet(() -> state.map(PowerState::wireName).orElse("unknown"));
    }
}
