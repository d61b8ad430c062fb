package dev.anvil.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The boot listener, the one booting and installing machines reach: install trees under {@code /install/<os>/},
 * the TFTP root (and the boot configs generated for it) under {@code /boot/}, per-node rendered files under
 * {@code /nodes/}, and the node-facing calls (discovery registration, plan, install and aliveness callbacks).
 * The admin API is never served here ({@link ApiConfig}).
 *
 * @param installRoot where install trees live, one directory per OS ({@code <stateDir>/install} by default)
 * @param listDirectories whether a directory in a tree gets an HTML listing (off: 403)
 * @param limits timeouts, connection caps and size limits ({@code http.limits})
 */
public record HttpConfig(HostPort listen, Optional<Path> installRoot, boolean listDirectories, HttpLimits limits) {
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 8081);

  public Path installRootIn(Path stateDir) {
    return installRoot.orElse(stateDir.resolve("install"));
  }

  public HttpConfig withListen(HostPort l) {
    return new HttpConfig(l, installRoot, listDirectories, limits);
  }
}
