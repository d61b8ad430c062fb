package dev.anvil.lifecycle;

/** A long-running part of the daemon (a listener, a worker pool) that starts and stops cleanly. */
public interface Service extends AutoCloseable {

    enum State {
        NEW,
        STARTING,
        RUNNING,
        STOPPING,
        STOPPED,
        FAILED
    }

    /** A short name for logs and the status endpoint, e.g. {@code http}. */
    String name();

    /** Starts the service; when this returns it is serving (its ports are bound). */
    void start() throws Exception;

    State state();

    /** Counters and gauges for the status endpoint (packets, errors, ...); empty by default. */
    default java.util.Map<String, Object> metrics() {
        return java.util.Map.of();
    }

    /** Stops the service and releases its ports; must be safe to call more than once. */
    @Override
    void close();
}
