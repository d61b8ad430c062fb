package dev.anvil.dns.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Query counters for the status endpoint. */
final class DnsCounters {
    final LongAdder udp = new LongAdder();
    final LongAdder tcp = new LongAdder();
    final LongAdder noerror = new LongAdder();
    final LongAdder nxdomain = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder otherRcode = new LongAdder();
    final LongAdder truncated = new LongAdder();
    final LongAdder malformed = new LongAdder();
    /** Answered FORMERR: unreadable past the header, malformed EDNS, not exactly one question... */
    final LongAdder formerr = new LongAdder();

    final LongAdder errors = new LongAdder();
    final LongAdder axfr = new LongAdder();
    final LongAdder axfrRefused = new LongAdder();
    final LongAdder notifies = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder forwardTimeouts = new LongAdder();
    /** Upstream packets dropped: from another address or port, another ID, or another question. */
    final LongAdder forwardDropped = new LongAdder();
    /** Queries answered SERVFAIL at once because {@code DnsForwarder.MAX_PENDING} were upstream already. */
    final LongAdder forwardOverload = new LongAdder();

    Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("udpQueries", udp.sum());
        m.put("tcpQueries", tcp.sum());
        m.put("noerror", noerror.sum());
        m.put("nxdomain", nxdomain.sum());
        m.put("refused", refused.sum());
        m.put("otherRcodes", otherRcode.sum());
        m.put("truncated", truncated.sum());
        m.put("malformed", malformed.sum());
        m.put("formerr", formerr.sum());
        m.put("errors", errors.sum());
        m.put("axfr", axfr.sum());
        m.put("axfrRefused", axfrRefused.sum());
        m.put("notifies", notifies.sum());
        m.put("forwarded", forwarded.sum());
        m.put("forwardTimeouts", forwardTimeouts.sum());
        m.put("forwardDropped", forwardDropped.sum());
        m.put("forwardOverload", forwardOverload.sum());
        return m;
    }
}
