package dev.anvil.tftp.server;

import static dev.anvil.lifecycle.Meters.bytes;
import static dev.anvil.lifecycle.Meters.count;
import static dev.anvil.lifecycle.Meters.gauge;
import static dev.anvil.lifecycle.Meters.timer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Transfer counters for the status endpoint and {@code /metrics}; the per-transfer time and size histograms once
 * {@link #bindTo} has given them a registry.
 */
final class TftpCounters {
    /** How a read transfer ended. */
    enum Result {
        COMPLETED,
        FAILED,
        ABORTED,
        TIMED_OUT
    }

    static final Duration[] TIME_BUCKETS = {
        Duration.ofMillis(10),
        Duration.ofMillis(100),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60),
        Duration.ofSeconds(300)
    };

    /** Sizes from a boot config to an initrd: 1 KiB, 64 KiB, 1, 16, 64, 256 MiB, 1 GiB. */
    static final double[] SIZE_BUCKETS = {1 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20, 256 << 20, 1 << 30};

    final LongAdder requests = new LongAdder();
    final LongAdder transfers = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder retransmits = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder active = new LongAdder();
    final LongAdder aborted = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    /** Reads the client stopped acknowledging: abandoned after the retry budget. */
    final LongAdder timedOut = new LongAdder();
    /** Requests refused because {@code tftp.maxTransfers} were running. */
    final LongAdder refusedBusy = new LongAdder();
    /** Requests refused because {@code tftp.maxTransfersPerClient} from that address were running. */
    final LongAdder refusedPerClient = new LongAdder();

    final LongAdder uploads = new LongAdder();
    final LongAdder uploadsCompleted = new LongAdder();
    final LongAdder uploadsFailed = new LongAdder();
    /** Uploads whose client stopped sending: abandoned after the retry budget (not in uploadsFailed). */
    final LongAdder uploadsTimedOut = new LongAdder();

    final LongAdder uploadBytes = new LongAdder();

    private volatile Timer[] times;
    private volatile DistributionSummary[] sizes;

    /** One read transfer ended: its time from the request to the end, and the DATA bytes it sent. */
    void ended(Result r, long nanos, long bytes) {
        Timer[] t = times;
        DistributionSummary[] s = sizes;
        if (t != null && s != null) {
            t[r.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
            s[r.ordinal()].record(bytes);
        }
    }

    /** The counters as {@code anvil_tftp_*} meters (read at scrape time), the transfer time and size histograms. */
    void bindTo(MeterRegistry r) {
        count(r, "anvil.tftp.requests", "TFTP packets received on the request port", requests);
        String started = "transfers started, by direction";
        count(r, "anvil.tftp.transfers", started, transfers, "direction", "read");
        count(r, "anvil.tftp.transfers", started, uploads, "direction", "write");
        String ended = "transfers ended, by direction and result";
        count(r, "anvil.tftp.transfers.ended", ended, completed, "direction", "read", "result", "completed");
        count(r, "anvil.tftp.transfers.ended", ended, failed, "direction", "read", "result", "failed");
        count(r, "anvil.tftp.transfers.ended", ended, aborted, "direction", "read", "result", "aborted");
        count(r, "anvil.tftp.transfers.ended", ended, timedOut, "direction", "read", "result", "timed_out");
        count(r, "anvil.tftp.transfers.ended", ended, uploadsCompleted, "direction", "write", "result", "completed");
        count(r, "anvil.tftp.transfers.ended", ended, uploadsFailed, "direction", "write", "result", "failed");
        count(r, "anvil.tftp.transfers.ended", ended, uploadsTimedOut, "direction", "write", "result", "timed_out");
        gauge(r, "anvil.tftp.transfers.active", "transfers running now (reads and uploads)", active, LongAdder::sum);
        String refused = "requests refused, by the limit that refused them";
        count(r, "anvil.tftp.refused", refused, refusedBusy, "reason", "max_transfers");
        count(r, "anvil.tftp.refused", refused, refusedPerClient, "reason", "max_transfers_per_client");
        count(r, "anvil.tftp.duplicate.requests", "repeated requests served by the running transfer", duplicates);
        count(r, "anvil.tftp.sent.bytes", "DATA bytes sent (with retransmissions)", bytes);
        count(r, "anvil.tftp.received.bytes", "DATA bytes received by uploads", uploadBytes);
        count(r, "anvil.tftp.retransmits", "DATA blocks sent again after a timeout", retransmits);
        count(r, "anvil.tftp.errors", "requests answered with an error, or failed in the server", errors);
        count(r, "anvil.tftp.malformed", "TFTP packets that did not parse (dropped)", malformed);
        Timer[] t = new Timer[Result.values().length];
        DistributionSummary[] s = new DistributionSummary[t.length];
        for (Result res : Result.values()) {
            String tag = res.name().toLowerCase(Locale.ROOT);
            t[res.ordinal()] = timer(
                    r,
                    "anvil.tftp.transfer",
                    "read transfers: time from the request to the last ACK (or the end), by result",
                    TIME_BUCKETS,
                    "result",
                    tag);
            s[res.ordinal()] = bytes(
                    r,
                    "anvil.tftp.transfer.size",
                    "read transfers: DATA bytes sent (with retransmissions), by result",
                    SIZE_BUCKETS,
                    "result",
                    tag);
        }
        sizes = s;
        times = t;
    }

    Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests.sum());
        m.put("transfers", transfers.sum());
        m.put("completed", completed.sum());
        m.put("failed", failed.sum());
        m.put("active", active.sum());
        m.put("aborted", aborted.sum());
        m.put("timedOut", timedOut.sum());
        m.put("refusedBusy", refusedBusy.sum());
        m.put("refusedPerClient", refusedPerClient.sum());
        m.put("duplicateRequests", duplicates.sum());
        m.put("bytes", bytes.sum());
        m.put("retransmits", retransmits.sum());
        m.put("errors", errors.sum());
        m.put("malformed", malformed.sum());
        m.put("uploads", uploads.sum());
        m.put("uploadsCompleted", uploadsCompleted.sum());
        m.put("uploadsFailed", uploadsFailed.sum());
        m.put("uploadsTimedOut", uploadsTimedOut.sum());
        m.put("uploadBytes", uploadBytes.sum());
        return m;
    }
}
