package dev.anvil.core;

import java.util.List;
import java.util.stream.Collectors;

/** Input that fails validation; carries every violation found, not just the first. */
public class InvalidInputException extends RuntimeException {
    private final List<Violation> violations;

    public InvalidInputException(List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an InvalidInputException needs at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    public InvalidInputException(String field, String message) {
        this(List.of(new Violation(field, message)));
    }

    public List<Violation> violations() {
        return violations;
    }

    /** The first violation, which an API error body names. */
    public Violation first() {
        return violations.get(0);
    }

    /** Prefixes every field with a path, e.g. {@code networks[2]}. */
    public InvalidInputException under(String path) {
        return new InvalidInputException(violations.stream()
                .map(v -> new Violation(
                        v.field() == null || v.field().isEmpty() ? path : path + "." + v.field(), v.message()))
                .toList());
    }
}
