package dev.anvil.power;

import dev.anvil.core.power.PowerException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * At most {@code max} BMC calls at once, whatever the driver: each call is bounded in time by its driver, so a hung
 * BMC holds one slot for at most that long and never the others. A call that finds every slot busy for {@code
 * wait} fails as {@link PowerException.Kind#BUSY} instead of queueing without bound.
 */
public final class PowerSlots {
    public static final int DEFAULT_MAX = 32;

    private final Semaphore slots;
    private final int max;
    private final Duration wait;

    public PowerSlots(int max, Duration wait) {
        if (max < 1) {
            throw new IllegalArgumentException("at least one power slot, not " + max);
        }
        this.slots = new Semaphore(max, true);
        this.max = max;
        this.wait = wait;
    }

    /** Runs {@code call} in a slot. */
    public <T> T run(Supplier<T> call) {
        boolean got;
        try {
            got = slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PowerException(PowerException.Kind.BUSY, "interrupted while waiting for a power slot");
        }
        if (!got) {
            throw new PowerException(
                    PowerException.Kind.BUSY,
                    "all " + max + " power slots busy for " + wait.toSeconds() + " s: try again later");
        }
        try {
            return call.get();
        } finally {
            slots.release();
        }
    }

    /** The calls running now. */
    public int inUse() {
        return max - slots.availablePermits();
    }
}
