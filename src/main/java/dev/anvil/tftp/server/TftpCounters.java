package dev.anvil.tftp.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Transfer counters for the status endpoint. */
final class TftpCounters {
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
