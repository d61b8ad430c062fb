package dev.anvil.dhcp.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Packet counters for the status endpoint. */
final class DhcpCounters {
    final LongAdder received = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder offers = new LongAdder();
    final LongAdder acks = new LongAdder();
    final LongAdder naks = new LongAdder();
    final LongAdder declines = new LongAdder();
    final LongAdder releases = new LongAdder();
    final LongAdder probes = new LongAdder();
    final LongAdder conflicts = new LongAdder();
    final LongAdder pingErrors = new LongAdder();

    Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("received", received.sum());
        m.put("malformed", malformed.sum());
        m.put("dropped", dropped.sum());
        m.put("errors", errors.sum());
        m.put("offers", offers.sum());
        m.put("acks", acks.sum());
        m.put("naks", naks.sum());
        m.put("declines", declines.sum());
        m.put("releases", releases.sum());
        m.put("pingProbes", probes.sum());
        m.put("pingConflicts", conflicts.sum());
        m.put("pingErrors", pingErrors.sum());
        return m;
    }
}
