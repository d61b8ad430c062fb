package dev.anvil.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable tasks on nodes, and on the admin node itself ({@link Task#NO_NODE}: OS imports). A task is
 * {@code queued} until a runner claims it ({@code running}, which counts an attempt), then {@code done} or
 * {@code failed}, or back to {@code queued} with a later {@code notBefore} for a retry. Claiming is a
 * conditional update: only one runner ever gets a task, and it records the instance that claimed it: on a store
 * several anvild share, the ends of an attempt ({@link #finish}, {@link #retry}, {@link #release}, {@link
 * #progress}) change the task only while that instance still holds it, so an instance whose task was taken over
 * cannot end a peer's attempt. The node task queue sees only tasks with a node ({@link #due}, {@link #recover},
 * {@link #takeOver}); the admin node's tasks are run and recovered by their own runner, on their own instance.
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
     * @param instance the anvild instance that claimed its latest attempt (a task on the admin node: the instance it
     *     belongs to from the start); empty before its first claim
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
            Optional<Progress> progress,
            Optional<String> instance) {
        /** The node id of a task on the admin node itself (stored as NULL). */
        public static final long NO_NODE = 0;
    }

    Task enqueue(long nodeId, String kind, String args, int maxAttempts, Instant notBefore, Instant now);

    /**
     * A task on the admin node itself ({@link Task#NO_NODE}) that belongs to {@code instance}: only it runs it
     * and only it abandons it ({@link #abandon}). One attempt, due at once.
     */
    Task enqueueOwn(String instance, String kind, String args, Instant now);

    /** Queued tasks on nodes due at {@code now} with an id above {@code afterId}, oldest first (paged). */
    List<Task> due(Instant now, long afterId, int limit);

    /** When the next queued task on a node falls due after {@code now}: the earliest such {@code notBefore}. */
    Optional<Instant> nextDue(Instant now);

    /**
     * Moves the task from queued to running for {@code instance}, and counts the attempt; false if someone else
     * claimed it (whichever instance asks).
     */
    boolean claim(long id, String instance, Instant now);

    /** Ends a task running on {@code instance} (nothing when it is not, e.g. a peer took it over). */
    void finish(long id, String instance, TaskState state, String log, Optional<String> error, Instant now);

    /** Records how far a task running on {@code instance} has come; nothing for a task that is not. */
    void progress(long id, String instance, Progress progress);

    /**
     * Fails every queued or running task of {@code kind} without a node that belongs to {@code instance} (or to
     * no instance: made before instances were recorded), after a restart of that instance cut them off, with
     * {@code error}; returns them as they were.
     */
    List<Task> abandon(String kind, String instance, String error, Instant now);

    /** Puts a task running on {@code instance} back in the queue without counting its attempt (its node went away). */
    void release(long id, String instance, String log);

    /** Puts a task running on {@code instance} back in the queue for another attempt at {@code notBefore}. */
    void retry(long id, String instance, Instant notBefore, String log, String error);

    /**
     * After a restart: tasks on nodes left running were cut off; each goes back to the queue when it has attempts
     * left, else fails. The cut-off attempt may still be running on the node, so the node's queued tasks
     * (the recovered one included) wait until {@code notBefore}. Returns how many were recovered.
     */
    int recover(Instant now, Instant notBefore);

    /**
     * On a store several instances share, {@link #recover}'s rule for the node tasks of the instances that are gone:
     * those running on an instance other than {@code self} whose heartbeat is older than {@code staleBefore} (or
     * that has no heartbeat row, or with no instance recorded), and when {@code ownToo} (at {@code self}'s start)
     * those left running on {@code self} by its previous run. Each goes back to the queue when it has attempts
     * left, else fails, with a line in its log naming the instance whose attempt was cut off and the one that
     * took it over; its node's queued tasks wait until {@code notBefore}. A task a peer ends or takes over at the
     * same moment is left to it. Returns the tasks taken over, as they were.
     */
    List<Task> takeOver(String self, boolean ownToo, Instant staleBefore, Instant now, Instant notBefore);

    /** The latest tasks of a node (or all nodes), newest first. */
    List<Task> list(Optional<Long> nodeId, int limit);

    Optional<Task> get(long id);

    /** Counts by state, for the status endpoint. */
    java.util.Map<TaskState, Long> countByState();
}
