package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code tftp:} section as written. */
record TftpDraft(Boolean enabled, String listen, String root, Integer maxBlksize, Integer maxWindowsize,
    Integer timeoutMillis, Integer retries, Integer maxTransfers, Integer busyPollMicros) {

  TftpConfig validate() {
    List<Violation> v = new ArrayList<>();
    HostPort hp = null;
    try {
      hp = HostPort.parse(listen == null ? "0.0.0.0:69" : listen);
    } catch (IllegalArgumentException e) {
      v.add(new Violation("listen", e.getMessage()));
    }
    Drafts.range(v, "maxBlksize", maxBlksize, 8, 65464);
    Drafts.range(v, "maxWindowsize", maxWindowsize, 1, 65535);
    Drafts.range(v, "timeoutMillis", timeoutMillis, 50, 255_000);
    Drafts.range(v, "retries", retries, 0, 100);
    Drafts.range(v, "maxTransfers", maxTransfers, 1, 100_000);
    Drafts.range(v, "busyPollMicros", busyPollMicros, 0, 10_000);
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
    return new TftpConfig(enabled == null || enabled, hp, java.util.Optional.ofNullable(root).map(Path::of),
        maxBlksize == null ? 1468 : maxBlksize, maxWindowsize == null ? 64 : maxWindowsize,
        Duration.ofMillis(timeoutMillis == null ? 1000 : timeoutMillis), retries == null ? 6 : retries,
        maxTransfers == null ? 10_000 : maxTransfers, Duration.ofNanos(1000L * (busyPollMicros == null ? 0
        : busyPollMicros)));
  }
}
