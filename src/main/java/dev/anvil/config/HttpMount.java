package dev.anvil.config;

import java.nio.file.Path;

/**
 * A directory the operator serves on the boot listener at a URL prefix of their choosing ({@code http.mounts}),
 * beside the built-in {@code /boot/} and {@code /install/}; {@code /} serves a directory at the root.
 *
 * @param prefix the URL path prefix, starting and ending with {@code /}
 * @param dir the directory (a relative path is taken from the state directory)
 * @param listDirectories whether a directory gets an HTML index (off: 403); {@code http.listDirectories} unless
 *     the mount says otherwise
 */
public record HttpMount(String prefix, Path dir, boolean listDirectories) {
    /** The directory, a relative one taken from {@code stateDir}. */
    public Path dirIn(Path stateDir) {
        return stateDir.resolve(dir);
    }
}
