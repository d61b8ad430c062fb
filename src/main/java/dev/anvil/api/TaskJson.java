package dev.anvil.api;

import dev.anvil.store.TaskStore;
import dev.anvil.tasks.ImportQueue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A task as the API shows it, with why a queued task waits. */
public final class TaskJson {
    private TaskJson() {}

    /** {@code blockedBy}: why the task waits, when it is queued. */
    public static Map<String, Object> of(TaskStore.Task t, Optional<String> blockedBy) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("nodeId", t.nodeId() == TaskStore.Task.NO_NODE ? null : t.nodeId());
        m.put("kind", t.kind());
        ImportQueue.Request.of(t).ifPresent(r -> {
            m.put("os", r.os());
            m.put("source", r.source().toString());
        });
        m.put("state", t.state().name().toLowerCase(java.util.Locale.ROOT));
        m.put("attempts", t.attempts());
        m.put("maxAttempts", t.maxAttempts());
        m.put("notBefore", t.notBefore().toString());
        m.put("createdAt", t.createdAt().toString());
        m.put("startedAt", t.startedAt().map(Object::toString).orElse(null));
        m.put("finishedAt", t.finishedAt().map(Object::toString).orElse(null));
        m.put("instance", t.instance().orElse(null));
        m.put("blockedBy", t.state() == TaskStore.TaskState.QUEUED ? blockedBy.orElse(null) : null);
        m.put(
                "progress",
                t.progress()
                        .map(p -> {
                            // files, then bytes, in every run (Map.of's order changes from run to run)
                            Map<String, Object> pm = new LinkedHashMap<>();
                            pm.put("files", p.files());
                            pm.put("bytes", p.bytes());
                            return pm;
                        })
                        .orElse(null));
        m.put("error", t.error().orElse(null));
        m.put("log", t.log());
        return m;
    }
}
