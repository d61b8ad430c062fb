package dev.anvil.api;

import dev.anvil.config.DiscoveryConfig;
import dev.anvil.core.node.MacAddress;
import java.net.InetAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What stands between the boot network and node creation: a token bucket per source address and one per MAC
 * (each holding a minute's allowance), and a cap on machines registered but never admitted. Every refusal is
 * counted; it is logged once per source and minute, never per request. The tables are bounded (the least
 * recently seen keys go first), so a flood of made-up MACs cannot grow memory.
 */
public final class DiscoveryGate {
    private static final Logger log = LoggerFactory.getLogger(DiscoveryGate.class);
    static final int MAX_KEYS = 65_536;

    /** Why a registration is refused, and when to try again. */
    public record Refusal(int status, String reason, long retryAfterSeconds) {}

    private final DiscoveryConfig config;
    private final Clock clock;
    private final LongSupplier pending;
    private final Predicate<MacAddress> registered;
    private final Buckets bySource;
    private final Buckets byMac;
    private final Map<InetAddress, Long> loggedMinute = lru();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refusedSource = new AtomicLong();
    private final AtomicLong refusedMac = new AtomicLong();
    private final AtomicLong refusedFull = new AtomicLong();
    /** New machines between admission and the end of their registration, by boot MAC (a count per MAC). */
    private final Map<MacAddress, Integer> registering = new java.util.HashMap<>();

    /**
     * {@code pending}: how many machines are registered but not admitted now; {@code registered}: whether a node
     * with this MAC exists now (a registration in flight whose node is already committed counts once, in
     * {@code pending}).
     */
    public DiscoveryGate(DiscoveryConfig config, Clock clock, LongSupplier pending, Predicate<MacAddress> registered) {
        this.config = config;
        this.clock = clock;
        this.pending = pending;
        this.registered = registered;
        this.bySource = new Buckets(config.perSourcePerMinute());
        this.byMac = new Buckets(config.perMacPerMinute());
    }

    /** Checked before the body is read: one source's rate. */
    public Optional<Refusal> checkSource(InetAddress source) {
        // An IPv6 source counts per /64: a host can take any address of its /64, one per registration.
        if (!bySource.take(dev.anvil.core.net.ClientAddress.limitKey(source), clock.millis())) {
            refusedSource.incrementAndGet();
            return refuse(
                    source,
                    new Refusal(
                            429,
                            "too many registrations from " + dev.anvil.core.net.ClientAddress.format(source)
                                    + " (discovery.perSourcePerMinute "
                                    + config.perSourcePerMinute() + ")",
                            60 / Math.max(1, Math.min(60, config.perSourcePerMinute())) + 1));
        }
        return Optional.empty();
    }

    /**
     * Checked once the MAC is known: its rate, and (for a machine Anvil does not know yet) the cap; then runs
     * {@code register}. New machines being registered count against the cap until their node exists (from then on
     * {@code pending} counts them), so concurrent registrations cannot overshoot it, and a registration that has
     * committed but not yet returned is not counted twice (which refused the last machines of a storm of exactly
     * {@code maxPending} for a minute: bench/bootstorm.sh).
     */
    public <T> T admit(InetAddress source, MacAddress mac, boolean known, Supplier<T> register) {
        Optional<Refusal> r = checkMachine(source, mac, known);
        if (r.isPresent()) {
            throw new Refused(r.get());
        }
        try {
            return register.get();
        } finally {
            if (!known) {
                synchronized (this) {
                    registering.computeIfPresent(mac, (m, n) -> n == 1 ? null : n - 1);
                }
            }
        }
    }

    /** A registration turned away; {@link #admit} throws it. */
    public static final class Refused extends RuntimeException {
        private final Refusal refusal;

        Refused(Refusal refusal) {
            super(refusal.reason(), null, false, false);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    Optional<Refusal> checkMachine(InetAddress source, MacAddress mac, boolean known) {
        if (!byMac.take(mac, clock.millis())) {
            refusedMac.incrementAndGet();
            return refuse(
                    source,
                    new Refusal(
                            429,
                            "too many registrations for " + mac + " (discovery.perMacPerMinute "
                                    + config.perMacPerMinute() + ")",
                            60 / Math.max(1, Math.min(60, config.perMacPerMinute())) + 1));
        }
        if (!known) {
            synchronized (this) {
                // In flight first, pending second: a node committed in between is counted twice (refused a
                // moment early), never missed (the cap overshot).
                long inFlight = registering.keySet().stream()
                        .filter(m -> !registered.test(m))
                        .count();
                if (pending.getAsLong() + inFlight >= config.maxPending()) {
                    refusedFull.incrementAndGet();
                    return refuse(
                            source,
                            new Refusal(
                                    503,
                                    config.maxPending() + " machines wait to be admitted "
                                            + "(discovery.maxPending): admit or delete some first",
                                    60));
                }
                registering.merge(mac, 1, Integer::sum);
            }
        }
        accepted.incrementAndGet();
        return Optional.empty();
    }

    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accepted", accepted.get());
        m.put("refusedSourceRate", refusedSource.get());
        m.put("refusedMacRate", refusedMac.get());
        m.put("refusedFull", refusedFull.get());
        return m;
    }

    /** How many MACs the rate table holds now (bounded by {@link #MAX_KEYS}). */
    int macKeys() {
        return byMac.size();
    }

    private Optional<Refusal> refuse(InetAddress source, Refusal r) {
        long minute = clock.millis() / 60_000;
        boolean first;
        synchronized (loggedMinute) {
            InetAddress key = dev.anvil.core.net.ClientAddress.limitKey(source);
            Long last = loggedMinute.get(key);
            first = last == null || last != minute;
            if (first) {
                loggedMinute.put(key, minute);
            }
        }
        if (first) {
            log.warn(
                    "discovery registration from {} refused: {} (further refusals from it this minute are only "
                            + "counted)",
                    source.getHostAddress(),
                    r.reason());
        }
        return Optional.of(r);
    }

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > MAX_KEYS;
            }
        };
    }

    /** Token buckets of {@code perMinute} tokens, refilled continuously. */
    private static final class Buckets {
        private final double perMilli;
        private final double capacity;
        private final Map<Object, double[]> buckets = lru();

        Buckets(int perMinute) {
            this.capacity = perMinute;
            this.perMilli = perMinute / 60_000.0;
        }

        synchronized int size() {
            return buckets.size();
        }

        synchronized boolean take(Object key, long now) {
            double[] b = buckets.get(key);
            if (b == null) {
                b = new double[] {capacity, now};
                buckets.put(key, b);
            }
            b[0] = Math.min(capacity, b[0] + (now - b[1]) * perMilli);
            b[1] = now;
            if (b[0] < 1) {
                return false;
            }
            b[0] -= 1;
            return true;
        }
    }
}
