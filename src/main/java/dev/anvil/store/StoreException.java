package dev.anvil.store;

/** The backend failed (I/O, corruption, a bug); not the caller's fault. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
