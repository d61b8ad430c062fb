package dev.anvil.core;

/**
 * The request is well-formed but clashes with what exists (a duplicate name or MAC, an address taken, a network
 * in use).
 */
public class ConflictException extends RuntimeException {
    private final String field;

    public ConflictException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
