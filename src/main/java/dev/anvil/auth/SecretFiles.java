package dev.anvil.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/** Secrets kept in files of the state directory, readable by the daemon's user only (0600), never in the store. */
public final class SecretFiles {
    private SecretFiles() {}

    /** Writes {@code text} to {@code file} with mode 0600, atomically (a temporary file moved into place). */
    public static void write(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(
                file.toAbsolutePath().getParent(),
                "." + file.getFileName(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The secret in {@code file} (trimmed), or {@code initial} written there first when the file does not exist.
     * A file readable by others than its owner is refused: a secret that leaked cannot be trusted.
     */
    public static String readOrCreate(Path file, Supplier<String> initial) {
        try {
            if (!Files.exists(file)) {
                write(file, initial.get() + "\n");
            }
            String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
            if (!perms.substring(3).equals("------")) {
                throw new IllegalStateException(file + " is readable by others (" + perms + "): chmod 600 it");
            }
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or write the secret " + file + ": " + e.getMessage(), e);
        }
    }
}
