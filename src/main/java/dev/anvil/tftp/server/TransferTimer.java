package dev.anvil.tftp.server;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A transfer's retransmission timer on its event loop. {@link #arm} pushes the deadline out; one scheduled
 * task re-schedules itself until the deadline has really passed, so a transfer stepping thousands of times
 * a second never creates and cancels a task per step.
 */
final class TransferTimer {
    private final EventExecutor executor;
    private final Runnable onTimeout;
    private ScheduledFuture<?> task;
    private long deadline;
    private boolean cancelled;

    TransferTimer(EventExecutor executor, Runnable onTimeout) {
        this.executor = executor;
        this.onTimeout = onTimeout;
    }

    /** Times out {@code timeoutMillis} from now unless armed again before. */
    void arm(long timeoutMillis) {
        long timeout = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        deadline = System.nanoTime() + timeout;
        if (task == null && !cancelled) {
            task = executor.schedule(this::fire, timeout, TimeUnit.NANOSECONDS);
        }
    }

    private void fire() {
        task = null;
        if (cancelled) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            task = executor.schedule(this::fire, left, TimeUnit.NANOSECONDS);
            return;
        }
        onTimeout.run();
    }

    /** For good: the transfer is over. */
    void cancel() {
        cancelled = true;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }
}
