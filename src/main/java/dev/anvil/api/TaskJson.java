package dev.anvil.api;

import dev.anvil.store.TaskStore;
import dev.anvil.tasks.TaskQueue;
import java.util.LinkedHashMap;
import java.util.Map;

/** A task as the API shows it, with why a queued task waits. */
public final class TaskJson {
  private TaskJson() {}

  public static Map<String, Object> of(TaskStore.Task t, TaskQueue queue) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id());
    m.put("nodeId", t.nodeId());
    m.put("kind", t.kind());
    m.put("state", t.state().name().toLowerCase(java.util.Locale.ROOT));
    m.put("attempts", t.attempts());
    m.put("maxAttempts", t.maxAttempts());
    m.put("notBefore", t.notBefore().toString());
    m.put("createdAt", t.createdAt().toString());
    m.put("startedAt", t.startedAt().map(Object::toString).orElse(null));
    m.put("finishedAt", t.finishedAt().map(Object::toString).orElse(null));
    m.put("blockedBy", t.state() == TaskStore.TaskState.QUEUED ? queue.blockedBy(t).orElse(null) : null);
    m.put("error", t.error().orElse(null));
    m.put("log", t.log());
    return m;
  }
}
