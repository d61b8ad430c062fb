package dev.anvil.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable tasks on nodes, and on the admin node itself ({@link Task#NO_NODE}: OS imports). A task is
 * {@code queued} until a runner claims it ({@code running}, which counts an attempt), then {@code done} or
 * {@code failed}, or back to {@code queued} with a later {@code notBefore} for a retry. Claiming is a
 * conditional update: only one runner ever gets a task. The node task queue sees only tasks with a node
 * ({@link #due}, {@link #recover}); the admin node's tasks are run and recovered by their own runner.
 */
public interface TaskStore {
    enum TaskState {
        QUEUED,
        RUNNING,
        DONE,
        FAILED
    }

    /** How far a running task has come (an import: regular files and their bytes in place so far). */
    record Progress(long files, long bytes) {}

    /**
     * @param nodeId the node it runs on; {@link #NO_NODE} for a task on the admin node itself
     * @param progress the last progress its runner reported, if any (kept when it ends)
     */
    record Task(
            long id,
            long nodeId,
            String kind,
            String args,
            TaskState state,
            int attempts,
            int maxAttempts,
            Instant notBefore,
            Instant createdAt,
            Optional<Instant> startedAt,
            Optional<Instant> finishedAt,
            String log,
            Optional<String> error,
            Optional<Progress> progress) {
        /** The node id of a task on the admin node itself (stored as NULL). */
        public static final long NO_NODE = 0;
    }

    Task enqueue(long nodeId, String kind, String args, int maxAttempts, Instant notBefore, Instant now);

    /** Queued tasks on nodes due at {@code now} with an id above {@code afterId}, oldest first (paged). */
    List<Task> due(Instant now, long afterId, int limit);

    /** Moves the task from queued to running and counts the attempt; false if someone else claimed it. */
    boolean claim(long id, Instant now);

    /** Ends a running task. */
    void finish(long id, TaskState state, String log, Optional<String> error, Instant now);

    /** Records how far a running task has come; nothing for a task that is not running. */
    void progress(long id, Progress progress);

    /**
     * Fails every queued or running task of {@code kind} (tasks without a node, after a restart cut them off)
     * with {@code error}; returns them as they were.
     */
    List<Task> abandon(String kind, String error, Instant now);

    /** Puts a running task back in the queue without counting its attempt (its node went away). */
    void release(long id, String log);

    /** Puts a running task back in the queue for another attempt at {@code notBefore}. */
    void retry(long id, Instant notBefore, String log, String error);

    /**
     * After a restart: tasks on nodes left running were cut off; each goes back to the queue when it has attempts
     * left, else fails. The cut-off attempt may still be running on the node, so the node's queued tasks
     * (the recovered one included) wait until {@code notBefore}. Returns how many were recovered.
     */
    int recover(Instant now, Instant notBefore);

    /** The latest tasks of a node (or all nodes), newest first. */
    List<Task> list(Optional<Long> nodeId, int limit);

    Optional<Task> get(long id);

    /** Counts by state, for the status endpoint. */
    java.util.Map<TaskState, Long> countByState();
}
