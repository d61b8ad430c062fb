package dev.anvil.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The boot listener, the one booting and installing machines reach: install trees under {@code /install/<os>/},
 * the TFTP root (and the boot configs generated for it) under {@code /boot/}, per-node rendered files under
 * {@code /nodes/}, and the node-facing calls (discovery registration, plan, install and aliveness callbacks).
 * The admin API is never served here ({@link ApiConfig}).
 *
 * @param installRoot where install trees live, one directory per OS ({@code <stateDir>/install} by default)
 * @param listDirectories whether a directory in a tree gets an HTML listing (off: 403)
 * @param limits timeouts, connection caps and size limits ({@code http.limits})
 * @param mounts the operator's own directories at their URL prefixes ({@code http.mounts})
 */
public record HttpConfig(
        HostPort listen,
        Optional<Path> installRoot,
        boolean listDirectories,
        HttpLimits limits,
        List<HttpMount> mounts) {
    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 8081);

    /** The prefixes of the built-in mounts: the TFTP root and the install trees. */
    public static final Set<String> BUILT_IN_PREFIXES = Set.of("/boot/", "/install/");

    /**
     * The first path segments the node-facing calls own on the boot listener ({@code /api/v1/discover},
     * {@code /nodes/{id}/install.cfg}, {@code /healthz}): no mount lies under them, and a mount at a prefix above
     * them (such as {@code /}) never shadows them. The daemon checks at start that its routes stay inside these.
     */
    public static final Set<String> ROUTED_SEGMENTS = Set.of("api", "nodes", "healthz");

    public HttpConfig {
        mounts = List.copyOf(mounts);
    }

    public Path installRootIn(Path stateDir) {
        return installRoot.orElse(stateDir.resolve("install"));
    }

    public HttpConfig withListen(HostPort l) {
        return new HttpConfig(l, installRoot, listDirectories, limits, mounts);
    }
}
