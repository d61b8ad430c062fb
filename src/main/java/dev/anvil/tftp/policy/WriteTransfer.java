package dev.anvil.tftp.policy;

import java.util.Map;
import java.util.Optional;

/**
 * The receiver side of one write transfer (an upload) as a pure state machine: the server feeds it DATA
 * blocks, errors and timeouts, and it answers with what to do: take the payload into the file, which block
 * to acknowledge, whether the file is complete.
 *
 * <p>Blocks are counted from 1 without limit; the wire carries the low 16 bits (roll-over past 65535 as for
 * reads). With a window (RFC 7440) the receiver acknowledges every {@code windowsize}-th block and the last
 * one; a block arriving after a gap (one was lost) gets one ACK of the last block received in order, so the
 * sender resends from there (RFC 7440 §4), and only one per gap: a window arriving out of order never causes
 * a burst of ACKs. A repeat of the last block received (the sender missed its ACK) is acknowledged again.
 *
 * <p>After the last block (shorter than blksize) is taken and acknowledged, the transfer dallies for one
 * timeout (RFC 1350 §6): a repeat of the last block means the final ACK was lost, and it is sent again.
 */
public final class WriteTransfer {

    /**
     * What to do next.
     *
     * @param oack options to acknowledge (sent instead of ACK 0)
     * @param ack the block to acknowledge (its full number; the wire carries the low 16 bits), or -1 for none
     * @param take the DATA payload just received belongs to the file: append it
     * @param complete the file is complete: make it durable (commit) before sending {@code ack}
     * @param error an error to send the client (the transfer fails: the partial file is discarded)
     * @param finished the transfer is over: close its socket
     */
    public record Step(
            Optional<Map<String, String>> oack,
            long ack,
            boolean take,
            boolean complete,
            Optional<String> error,
            boolean finished) {
        static Step nothing() {
            return new Step(Optional.empty(), -1, false, false, Optional.empty(), false);
        }

        static Step ack(long block, boolean take) {
            return new Step(Optional.empty(), block, take, false, Optional.empty(), false);
        }

        static Step taking() {
            return new Step(Optional.empty(), -1, true, false, Optional.empty(), false);
        }

        public boolean sendsAck() {
            return ack >= 0;
        }
    }

    private enum Phase {
        NEGOTIATING,
        RECEIVING,
        DALLYING,
        DONE
    }

    private final Negotiation n;
    private final int maxRetries;
    private Phase phase = Phase.NEGOTIATING;
    private long received;
    private long acked;
    private boolean gapAcked;
    private int retries;

    public WriteTransfer(Negotiation n, int maxRetries) {
        this.n = n;
        this.maxRetries = maxRetries;
    }

    public Negotiation negotiation() {
        return n;
    }

    /** Blocks taken into the file so far. */
    public long received() {
        return received;
    }

    /** The first answer to the write request: the OACK, or ACK 0 when the client asked for no option. */
    public Step start() {
        return n.oack().isPresent()
                ? new Step(n.oack(), -1, false, false, Optional.empty(), false)
                : Step.ack(0, false);
    }

    /** A DATA block with wire number {@code wireBlock} and {@code length} payload bytes arrived. */
    public Step onData(int wireBlock, int length) {
        switch (phase) {
            case DONE:
                return Step.nothing();
            case DALLYING:
                // The sender repeats the last block: it missed the final ACK.
                return (wireBlock & 0xffff) == (received & 0xffff) ? Step.ack(received, false) : Step.nothing();
            default:
                break;
        }
        if (length > n.blksize()) {
            phase = Phase.DONE;
            return new Step(
                    Optional.empty(),
                    -1,
                    false,
                    false,
                    Optional.of("block of " + length + " bytes is larger than blksize " + n.blksize()),
                    true);
        }
        long delta = (wireBlock - (received + 1)) & 0xffff;
        if (delta == 0) {
            received++;
            phase = Phase.RECEIVING;
            retries = 0;
            gapAcked = false;
            if (length < n.blksize()) {
                phase = Phase.DALLYING;
                acked = received;
                return new Step(Optional.empty(), received, true, true, Optional.empty(), false);
            }
            if (received - acked >= n.windowsize()) {
                acked = received;
                return Step.ack(received, true);
            }
            return Step.taking();
        }
        if (phase == Phase.NEGOTIATING) {
            return Step.nothing(); // not block 1: the client has not seen our OACK/ACK 0 yet; the timer resends it
        }
        if (delta == 0xffff) {
            // A repeat of the last block taken: the sender missed our ACK (lock-step) or resent a window.
            acked = received;
            return Step.ack(received, false);
        }
        if (delta < 0x8000 && !gapAcked) {
            // A block from further ahead: one was lost. Ask once for a resend from the last block in order.
            gapAcked = true;
            acked = received;
            return Step.ack(received, false);
        }
        return Step.nothing(); // an older duplicate, or a later block of the same gap
    }

    /** The client sent an ERROR: the transfer ends and the partial file is discarded. */
    public Step onError() {
        phase = Phase.DONE;
        return new Step(Optional.empty(), -1, false, false, Optional.empty(), true);
    }

    /** The upload cannot go on (a full disk, a size limit): tell the client and end. */
    public Step fail(String why) {
        phase = Phase.DONE;
        return new Step(Optional.empty(), -1, false, false, Optional.of(why), true);
    }

    /** Nothing arrived for one timeout: repeat the last answer, give up after the retry limit, end a dally. */
    public Step onTimeout() {
        switch (phase) {
            case DONE:
                return Step.nothing();
            case DALLYING:
                phase = Phase.DONE;
                return new Step(Optional.empty(), -1, false, false, Optional.empty(), true);
            default:
                break;
        }
        if (++retries > maxRetries) {
            return fail("no data after " + maxRetries + " retransmissions");
        }
        if (phase == Phase.NEGOTIATING) {
            return start();
        }
        acked = received;
        return Step.ack(received, false);
    }
}
