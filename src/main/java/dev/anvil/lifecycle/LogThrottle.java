package dev.anvil.lifecycle;

/**
 * At most one log line per interval for one cause: {@link #permit} says whether to log now and how many
 * occurrences were kept quiet since the last line. Thread-safe; the time is the caller's ({@code System.nanoTime}).
 */
public final class LogThrottle {
    private final long intervalNanos;
    private boolean logged;
    private long next;
    private long quiet;

    public LogThrottle(java.time.Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** For one occurrence at {@code nowNanos}: -1 to stay quiet, else how many were kept quiet before it. */
    public synchronized long permit(long nowNanos) {
        if (logged && nowNanos - next < 0) {
            quiet++;
            return -1;
        }
        logged = true;
        next = nowNanos + intervalNanos;
        long q = quiet;
        quiet = 0;
        return q;
    }
}
