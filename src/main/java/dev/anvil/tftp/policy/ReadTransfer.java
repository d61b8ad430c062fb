package dev.anvil.tftp.policy;

import java.util.Map;
import java.util.Optional;

/**
 * The sender side of one read transfer as a pure state machine: the server feeds it ACKs, errors and
 * timeouts, and it answers with what to send. Blocks are counted from 1 without limit; the wire carries the
 * low 16 bits, which roll over to 0 after 65535 (as tftp-hpa, atftp and curl expect).
 *
 * <p>Duplicate ACKs never cause retransmission (the Sorcerer's Apprentice bug, RFC 1123 §4.2.3.1): only a
 * timeout does. With a window (RFC 7440), an ACK for a block inside the window moves the window to just
 * after it and the next window is sent at once, which also recovers a window the client saw only in part.
 */
public final class ReadTransfer {

    /** What to do next. {@code from..to} are block numbers to send (inclusive); empty when from > to. */
    public record Step(
            Optional<Map<String, String>> oack, long from, long to, Optional<String> error, boolean finished) {
        static Step nothing() {
            return new Step(Optional.empty(), 1, 0, Optional.empty(), false);
        }

        static Step blocks(long from, long to) {
            return new Step(Optional.empty(), from, to, Optional.empty(), false);
        }

        static Step done() {
            return new Step(Optional.empty(), 1, 0, Optional.empty(), true);
        }

        static Step fail(String why) {
            return new Step(Optional.empty(), 1, 0, Optional.of(why), true);
        }

        public boolean sendsBlocks() {
            return from <= to;
        }
    }

    private final Negotiation n;
    private final long size;
    private final long lastBlock;
    private final int maxRetries;
    private boolean oackPending;
    private long acked;
    private long sent;
    private int retries;
    private boolean finished;

    public ReadTransfer(Negotiation n, long size, int maxRetries) {
        this.n = n;
        this.size = size;
        this.lastBlock = size / n.blksize() + 1;
        this.maxRetries = maxRetries;
        this.oackPending = n.oack().isPresent();
    }

    public Negotiation negotiation() {
        return n;
    }

    public long lastBlock() {
        return lastBlock;
    }

    /** Bytes of block {@code b} (1-based): its offset is (b - 1) * blksize. */
    public int blockLength(long b) {
        return (int) Math.min(n.blksize(), size - (b - 1) * n.blksize());
    }

    public boolean finished() {
        return finished;
    }

    public Step start() {
        return oackPending ? new Step(n.oack(), 1, 0, Optional.empty(), false) : window();
    }

    private Step window() {
        long from = acked + 1;
        long to = Math.min(acked + n.windowsize(), lastBlock);
        sent = Math.max(sent, to);
        return Step.blocks(from, to);
    }

    public Step onAck(int wireBlock) {
        if (finished) {
            return Step.nothing();
        }
        if (oackPending) {
            if (wireBlock != 0) {
                return Step.nothing(); // not the ACK of the OACK: wait for it (or for the timeout)
            }
            oackPending = false;
            retries = 0;
            return window();
        }
        // The full block number this ACK names: the one in (acked, sent] with these low 16 bits.
        long delta = (wireBlock - acked) & 0xffff;
        long b = acked + delta;
        if (delta == 0 || b > sent) {
            return Step.nothing(); // a duplicate or stale ACK: never a retransmission by itself
        }
        acked = b;
        retries = 0;
        if (acked == lastBlock) {
            finished = true;
            return Step.done();
        }
        return window();
    }

    /** The client sent an ERROR (e.g. 8: it refuses the options): the transfer ends, nothing is sent. */
    public Step onError() {
        finished = true;
        return Step.done();
    }

    public Step onTimeout() {
        if (finished) {
            return Step.nothing();
        }
        if (++retries > maxRetries) {
            finished = true;
            return Step.fail("no answer after " + maxRetries + " retransmissions");
        }
        if (oackPending) {
            return new Step(n.oack(), 1, 0, Optional.empty(), false);
        }
        return Step.blocks(acked + 1, sent);
    }
}
