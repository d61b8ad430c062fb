package dev.anvil.dns.server;

import static dev.anvil.lifecycle.Meters.count;
import static dev.anvil.lifecycle.Meters.timer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Query counters for the status endpoint and {@code /metrics}; the answer-time histograms once {@link #bindTo}
 * has given them a registry (until then nothing is recorded).
 */
final class DnsCounters {
    /** The answer-time histogram's buckets: the fast path answers in microseconds. */
    static final Duration[] ANSWER_BUCKETS = {
        Duration.ofNanos(50_000),
        Duration.ofNanos(100_000),
        Duration.ofNanos(250_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(50)
    };

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

    private volatile Timer udpAnswers;
    private volatile Timer tcpAnswers;

    /** Records {@code n} UDP answers that took {@code nanos} each (one read batch, one send), if bound. */
    void answeredUdp(int n, long nanos) {
        Timer t = udpAnswers;
        if (t != null) {
            for (int i = 0; i < n; i++) {
                t.record(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    void answeredTcp(long nanos) {
        Timer t = tcpAnswers;
        if (t != null) {
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The counters as {@code anvil_dns_*} meters (read at scrape time) and the answer-time histograms. */
    void bindTo(MeterRegistry r) {
        count(r, "anvil.dns.queries", "DNS queries received, by transport", udp, "transport", "udp");
        count(r, "anvil.dns.queries", "DNS queries received, by transport", tcp, "transport", "tcp");
        String answers = "DNS answers sent, by response code (forwarded queries not included)";
        count(r, "anvil.dns.responses", answers, noerror, "rcode", "noerror");
        count(r, "anvil.dns.responses", answers, nxdomain, "rcode", "nxdomain");
        count(r, "anvil.dns.responses", answers, refused, "rcode", "refused");
        count(r, "anvil.dns.responses", answers, formerr, "rcode", "formerr");
        count(r, "anvil.dns.responses", answers, otherRcode, "rcode", "other");
        count(r, "anvil.dns.truncated", "UDP answers sent truncated (TC)", truncated);
        count(
                r,
                "anvil.dns.malformed",
                "DNS messages that did not parse (FORMERR when the header was whole)",
                malformed);
        count(r, "anvil.dns.errors", "DNS queries that failed in the server", errors);
        count(r, "anvil.dns.axfr", "zone transfers, by result", axfr, "result", "served");
        count(r, "anvil.dns.axfr", "zone transfers, by result", axfrRefused, "result", "refused");
        count(r, "anvil.dns.notifies", "NOTIFY messages sent to secondaries", notifies);
        count(r, "anvil.dns.forwarded", "queries forwarded upstream", forwarded);
        count(r, "anvil.dns.forward.timeouts", "forwarded queries without an upstream answer in time", forwardTimeouts);
        count(
                r,
                "anvil.dns.forward.dropped",
                "upstream packets dropped (wrong source, ID or question)",
                forwardDropped);
        count(r, "anvil.dns.forward.overload", "queries answered SERVFAIL: too many upstream already", forwardOverload);
        udpAnswers = answerTimer(r, "udp");
        tcpAnswers = answerTimer(r, "tcp");
    }

    private static Timer answerTimer(MeterRegistry r, String transport) {
        return timer(
                r,
                "anvil.dns.answer",
                "time from reading a query to sending its answer (UDP: the read batch's, one"
                        + " recvmmsg to one sendmmsg); forwarded queries and AXFR not included",
                ANSWER_BUCKETS,
                "transport",
                transport);
    }

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
