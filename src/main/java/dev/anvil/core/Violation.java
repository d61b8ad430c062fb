package dev.anvil.core;

/** One problem with an input: the field it names (a path such as {@code networks[0].cidr}) and what is wrong. */
public record Violation(String field, String message) {
    @Override
    public String toString() {
        return field == null || field.isEmpty() ? message : field + ": " + message;
    }
}
