package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.util.ArrayList;
import java.util.List;

/** The {@code api:} section as written. */
record ApiDraft(String listen, Integer maxRequestBytes, TlsDraft tls) {

  ApiConfig validate() {
    List<Violation> v = new ArrayList<>();
    HostPort hp = ApiConfig.DEFAULT_LISTEN;
    if (listen != null) {
      try {
        hp = HostPort.parse(listen);
      } catch (IllegalArgumentException e) {
        v.add(new Violation("listen", e.getMessage()));
      }
    }
    Drafts.range(v, "maxRequestBytes", maxRequestBytes, 1024, 64 << 20);
    java.util.Optional<TlsConfig> t = java.util.Optional.empty();
    if (tls != null) {
      try {
        t = java.util.Optional.of(tls.validate());
      } catch (InvalidInputException e) {
        v.addAll(e.under("tls").violations());
      }
    }
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
    return new ApiConfig(hp, maxRequestBytes == null ? HttpConfig.DEFAULT_MAX_REQUEST_BYTES : maxRequestBytes, t);
  }
}
