package dev.anvil.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts services in order and closes them in reverse order. Each close is bounded: one that takes longer
 * than the limit is logged and left behind so the others still close.
 */
public final class Services implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Services.class);

    private final List<Service> services;
    private final Duration closeLimit;
    private final List<Service> started = new ArrayList<>();

    public Services(List<Service> services, Duration closeLimit) {
        this.services = List.copyOf(services);
        this.closeLimit = closeLimit;
    }

    /** Starts every service; if one fails, those already started are closed and the failure is thrown. */
    public synchronized void start() throws Exception {
        for (Service s : services) {
            long t0 = System.nanoTime();
            try {
                s.start();
            } catch (Exception | Error e) {
                log.error("service {} failed to start: {}", s.name(), e.getMessage());
                close();
                throw e;
            }
            started.add(s);
            log.info("service {} started in {} ms", s.name(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    public List<Service> all() {
        return services;
    }

    private static ExecutorService newCloser() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "anvil-closer");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public synchronized void close() {
        List<Service> reverse = new ArrayList<>(started);
        Collections.reverse(reverse);
        started.clear();
        ExecutorService closer = newCloser();
        try {
            for (Service s : reverse) {
                long t0 = System.nanoTime();
                Future<?> f = closer.submit(s::close);
                try {
                    f.get(closeLimit.toMillis(), TimeUnit.MILLISECONDS);
                    log.info("service {} stopped in {} ms", s.name(), (System.nanoTime() - t0) / 1_000_000);
                } catch (TimeoutException e) {
                    log.warn(
                            "service {} did not stop within {} ms; going on without it",
                            s.name(),
                            closeLimit.toMillis());
                    f.cancel(true);
                    closer.shutdownNow();
                    closer = newCloser();
                } catch (ExecutionException e) {
                    log.warn("service {} failed while stopping", s.name(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    log.warn("interrupted while stopping {}", s.name());
                }
            }
        } finally {
            closer.shutdownNow();
        }
    }
}
