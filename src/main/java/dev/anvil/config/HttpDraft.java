package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code http:} section as written. */
record HttpDraft(String listen, Integer maxRequestBytes, String installRoot, Boolean listDirectories) {

  HttpConfig validate() {
    List<Violation> v = new ArrayList<>();
    HostPort hp = null;
    try {
      hp = HostPort.parse(listen == null ? HttpConfig.DEFAULT_LISTEN.toString() : listen);
    } catch (IllegalArgumentException e) {
      v.add(new Violation("listen", e.getMessage()));
    }
    Drafts.range(v, "maxRequestBytes", maxRequestBytes, 1024, 64 << 20);
    if (installRoot != null && installRoot.isBlank()) {
      v.add(new Violation("installRoot", "must not be empty"));
    }
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
    return new HttpConfig(hp, maxRequestBytes == null ? HttpConfig.DEFAULT_MAX_REQUEST_BYTES : maxRequestBytes,
        Optional.ofNullable(installRoot).map(Path::of), listDirectories != null && listDirectories);
  }
}
