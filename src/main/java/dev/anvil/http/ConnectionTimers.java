package dev.anvil.http;

import dev.anvil.config.HttpLimits;

/**
 * The timeouts of one HTTP connection as a pure state machine: the netty handler reports what it sees (bytes in,
 * a request head decoded, body parts, writes started and finished, output progress) with the time, asks for the
 * next {@link #deadline} to wake up at, and at that time asks what {@link #expired}. Times are nanoseconds from
 * one clock ({@code System.nanoTime} in the daemon); nothing here reads a clock. Not thread-safe: one
 * connection's events all come from its event loop.
 *
 * <ul>
 *   <li>header: the head of the first request must be complete {@code headerTimeout} after the connection opened;
 *       of a later request, {@code headerTimeout} after its first byte.
 *   <li>body: while a request body is arriving, no pause between two reads longer than {@code bodyTimeout}.
 *   <li>send: while a write is pending, the output must progress at least every {@code sendTimeout} (as sampled
 *       with {@link #output}).
 *   <li>idle: with no request under way and nothing to send, the next request's first byte must come within
 *       {@code idleTimeout} of the last response.
 * </ul>
 */
public final class ConnectionTimers {
    /** Which timeout fired. */
    public enum Expiry {
        NONE,
        HEADER,
        BODY,
        SEND,
        IDLE
    }

    private enum In {
        AWAIT,
        HEAD,
        BODY,
        DONE
    }

    private final long idle;
    private final long header;
    private final long body;
    private final long send;
    private In in = In.AWAIT;
    private boolean fresh = true;
    private long headStart;
    private long lastRead;
    private long idleSince;
    private long lastProgress;
    private long lastOutput = Long.MIN_VALUE;
    /** Requests whose head arrived and whose response has not been written to its end. */
    private int outstanding;

    private int writesPending;
    /** A response head went out and its end has not. */
    private boolean responding;

    public ConnectionTimers(HttpLimits limits, long openedAt) {
        this.idle = limits.idleTimeout().toNanos();
        this.header = limits.headerTimeout().toNanos();
        this.body = limits.bodyTimeout().toNanos();
        this.send = limits.sendTimeout().toNanos();
        this.headStart = openedAt;
    }

    /** Bytes of a request arrived (before decoding). */
    public void bytesIn(long now) {
        lastRead = now;
        if (in == In.AWAIT || in == In.DONE) {
            if (!fresh) {
                headStart = now;
            }
            in = In.HEAD;
        }
    }

    /** A request head was decoded; {@code complete}: it has no body to follow. */
    public void head(long now, boolean complete) {
        fresh = false;
        outstanding++;
        lastRead = now;
        in = complete ? In.DONE : In.BODY;
    }

    /** A part of a request body was decoded; {@code last}: the body is complete. */
    public void bodyPart(long now, boolean last) {
        lastRead = now;
        if (last && in == In.BODY) {
            in = In.DONE;
            settle(now);
        }
    }

    /** A write began; {@code responseHead}: it starts a response. */
    public void writeStarted(long now, boolean responseHead) {
        if (writesPending++ == 0) {
            lastProgress = now;
        }
        if (responseHead) {
            responding = true;
        }
    }

    /** A write finished (done or failed); {@code responseEnd}: it ended a response. */
    public void writeDone(long now, boolean responseEnd) {
        writesPending = Math.max(0, writesPending - 1);
        lastProgress = now;
        if (responseEnd) {
            responding = false;
            outstanding = Math.max(0, outstanding - 1);
            settle(now);
        }
    }

    /**
     * The output as sampled at {@code now}: any value that changes when bytes leave (the pending byte count, the
     * flush progress of the message being written); a change is progress.
     */
    public void output(long now, long fingerprint) {
        if (fingerprint != lastOutput) {
            lastOutput = fingerprint;
            if (writesPending > 0) {
                lastProgress = now;
            }
        }
    }

    /** With the request read and every response out, the connection waits for the next request. */
    private void settle(long now) {
        if (outstanding == 0 && in == In.DONE) {
            in = In.AWAIT;
            idleSince = now;
        }
    }

    /** When to look again ({@link #expired}), or {@link Long#MAX_VALUE} when no timeout runs. */
    public long deadline() {
        long d = Long.MAX_VALUE;
        if (in == In.HEAD || in == In.AWAIT && fresh) {
            d = headStart + header;
        } else if (in == In.BODY) {
            d = lastRead + body;
        } else if (in == In.AWAIT && outstanding == 0 && writesPending == 0) {
            d = idleSince + idle;
        }
        if (writesPending > 0) {
            d = Math.min(d, lastProgress + send);
        }
        return d;
    }

    /** The timeout that has run out at {@code now}, if any. */
    public Expiry expired(long now) {
        if (writesPending > 0 && now - (lastProgress + send) >= 0) {
            return Expiry.SEND;
        }
        if (in == In.HEAD || in == In.AWAIT && fresh) {
            return now - (headStart + header) >= 0 ? Expiry.HEADER : Expiry.NONE;
        }
        if (in == In.BODY) {
            return now - (lastRead + body) >= 0 ? Expiry.BODY : Expiry.NONE;
        }
        if (in == In.AWAIT && outstanding == 0 && writesPending == 0 && now - (idleSince + idle) >= 0) {
            return Expiry.IDLE;
        }
        return Expiry.NONE;
    }

    /**
     * Whether a timed-out client still gets a {@code 408}: some of its request arrived and no response is on the
     * wire or owed for an earlier request (else the 408 would answer the wrong request). A connection that never
     * sent a byte is closed quietly.
     */
    public boolean mayAnswer() {
        if (responding || writesPending > 0) {
            return false;
        }
        return in == In.HEAD && outstanding == 0 || in == In.BODY && outstanding == 1;
    }

    /** Whether nothing is under way: no request being read, no response owed or being written. */
    public boolean idle() {
        return in == In.AWAIT && outstanding == 0 && writesPending == 0;
    }
}
