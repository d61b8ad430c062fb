package dev.anvil.core.power;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A BMC password in the clear, only ever between the cipher that opens it and the driver that uses it: its
 * {@link #toString} never shows it (a log line or an exception message that names it shows {@code ***}), and it
 * has no equality (no secret compared in the open).
 */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret ofUtf8(byte[] bytes) {
        return new Secret(new String(bytes, StandardCharsets.UTF_8));
    }

    /** The password, for the driver that hands it to the BMC. */
    public String reveal() {
        return value;
    }

    public byte[] utf8() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    public int length() {
        return value.length();
    }

    @Override
    public String toString() {
        return "***";
    }
}
