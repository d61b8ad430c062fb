package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.util.ArrayList;
import java.util.List;

/** The {@code api:} section as written ({@code maxRequestBytes}: the older spelling of limits.maxBodyBytes). */
record ApiDraft(String listen, Integer maxRequestBytes, TlsDraft tls, LimitsDraft limits, EventsDraft events) {

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
        HttpLimits l = LimitsDraft.resolve(limits, maxRequestBytes, HttpLimits.API, v);
        java.util.Optional<TlsConfig> t = java.util.Optional.empty();
        if (tls != null) {
            try {
                t = java.util.Optional.of(tls.validate());
            } catch (InvalidInputException e) {
                v.addAll(e.under("tls").violations());
            }
        }
        EventsConfig ev = EventsConfig.defaults();
        if (events != null) {
            try {
                ev = events.validate();
            } catch (InvalidInputException e) {
                v.addAll(e.under("events").violations());
            }
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new ApiConfig(hp, t, l, ev);
    }
}
