package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code http:} section as written ({@code maxRequestBytes}: the older spelling of limits.maxBodyBytes). */
record HttpDraft(String listen, Integer maxRequestBytes, String installRoot, Boolean listDirectories,
    LimitsDraft limits) {

  HttpConfig validate() {
    List<Violation> v = new ArrayList<>();
    HostPort hp = null;
    try {
      hp = HostPort.parse(listen == null ? HttpConfig.DEFAULT_LISTEN.toString() : listen);
    } catch (IllegalArgumentException e) {
      v.add(new Violation("listen", e.getMessage()));
    }
    HttpLimits l = LimitsDraft.resolve(limits, maxRequestBytes, HttpLimits.BOOT, v);
    if (installRoot != null && installRoot.isBlank()) {
      v.add(new Violation("installRoot", "must not be empty"));
    }
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
    return new HttpConfig(hp, Optional.ofNullable(installRoot).map(Path::of), listDirectories != null
        && listDirectories, l);
  }
}
