package dev.anvil.api;

import dev.anvil.core.NotFoundException;
import dev.anvil.core.node.Node;
import dev.anvil.store.TaskStore;
import dev.anvil.tasks.ImportQueue;
import dev.anvil.tasks.TaskQueue;
import java.util.List;
import java.util.Optional;

/**
 * The lifecycle routes' tasks: the durable queue for actions, the task store for reading, as JSON; a task
 * without a node (an OS import) is the import queue's.
 */
public final class QueueTasks implements LifecycleRoutes.Tasks {
    /** At most this many tasks in one list answer, newest first. */
    static final int LIST_LIMIT = 200;

    private final TaskQueue queue;
    private final ImportQueue imports;
    private final TaskStore store;

    public QueueTasks(TaskQueue queue, ImportQueue imports, TaskStore store) {
        this.queue = queue;
        this.imports = imports;
        this.store = store;
    }

    @Override
    public Object reboot(Node node, String actor) {
        return show(queue.restart(node));
    }

    @Override
    public Object powerOff(Node node, String actor) {
        return show(queue.powerOff(node));
    }

    @Override
    public Object get(long id) {
        return store.get(id).map(this::show).orElseThrow(() -> new NotFoundException("no task " + id));
    }

    @Override
    public List<?> list(Optional<Node> node) {
        return store.list(node.map(Node::id), LIST_LIMIT).stream()
                .map(this::show)
                .toList();
    }

    /** One task as JSON, with why it waits when it is queued. */
    public Object show(TaskStore.Task t) {
        if (t.state() != TaskStore.TaskState.QUEUED) {
            return TaskJson.of(t, Optional.empty());
        }
        return TaskJson.of(t, t.nodeId() == TaskStore.Task.NO_NODE ? imports.blockedBy(t) : queue.blockedBy(t));
    }
}
