package dev.anvil.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The HTTP listener: the REST API, install trees under {@code /install/<os>/}, the TFTP root (and the boot
 * configs generated for it) under {@code /boot/}, and per-node rendered files under {@code /nodes/}.
 *
 * @param installRoot where install trees live, one directory per OS ({@code <stateDir>/install} by default)
 * @param listDirectories whether a directory in a tree gets an HTML listing (off: 403)
 */
public record HttpConfig(HostPort listen, int maxRequestBytes, Optional<Path> installRoot,
    boolean listDirectories) {
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;

  public HttpConfig(HostPort listen, int maxRequestBytes) {
    this(listen, maxRequestBytes, Optional.empty(), false);
  }

  public Path installRootIn(Path stateDir) {
    return installRoot.orElse(stateDir.resolve("install"));
  }

  public HttpConfig withListen(HostPort l) {
    return new HttpConfig(l, maxRequestBytes, installRoot, listDirectories);
  }
}
