package dev.anvil.api;

import dev.anvil.core.NotFoundException;
import dev.anvil.core.node.Node;
import dev.anvil.store.TaskStore;
import dev.anvil.tasks.TaskQueue;
import java.util.List;
import java.util.Optional;

/** The lifecycle routes' tasks: the durable queue for actions, the task store for reading, as JSON. */
public final class QueueTasks implements LifecycleRoutes.Tasks {
  /** At most this many tasks in one list answer, newest first. */
  static final int LIST_LIMIT = 200;

  private final TaskQueue queue;
  private final TaskStore store;

  public QueueTasks(TaskQueue queue, TaskStore store) {
    this.queue = queue;
    this.store = store;
  }

  @Override
  public Object reboot(Node node, String actor) {
    return TaskJson.of(queue.reboot(node), queue);
  }

  @Override
  public Object get(long id) {
    return store.get(id).map(t -> TaskJson.of(t, queue)).orElseThrow(() -> new NotFoundException("no task " + id));
  }

  @Override
  public List<?> list(Optional<Node> node) {
    return store.list(node.map(Node::id), LIST_LIMIT).stream().map(t -> TaskJson.of(t, queue)).toList();
  }
}
