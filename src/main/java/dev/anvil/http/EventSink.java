package dev.anvil.http;

/**
 * The open end of a streamed response ({@link StreamResponse}): text sent as it comes, in the order of the calls
 * from one thread. Thread-safe.
 */
public interface EventSink {
    /** Sends {@code text} (UTF-8); false when the stream is closed and nothing was sent. */
    boolean send(String text);

    /** Sends not yet written to the client (queued in memory), for backlog caps. */
    int pending();

    /** Ends the response and closes the connection; safe to call more than once. */
    void close();

    boolean isOpen();

    /** Runs {@code action} once when the stream closes, whoever closed it (at once when it already is closed). */
    void onClose(Runnable action);
}
