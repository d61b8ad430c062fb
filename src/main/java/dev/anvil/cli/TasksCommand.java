package dev.anvil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code anvil tasks [ID] [--follow] [--node NODE]}: the newest tasks, one task with its log, or, with
 * {@code --follow}, a line per change until the task ends (with an ID) or until none is queued or running.
 */
@Command(name = "tasks", description = "Tasks (reboots, OS imports): list, show one, or follow them.")
final class TasksCommand extends Cmd implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "ID", description = "One task: its fields and whole log.")
    Long id;

    @Option(
            names = {"-f", "--follow"},
            description = "A line per change: until task ID ends (exit 1 if it fails), or, without ID, until no "
                    + "task is queued or running.")
    boolean follow;

    @Option(names = "--node", paramLabel = "NODE", description = "Only this node's tasks (a name or MAC).")
    String node;

    @Override
    public Integer call() {
        if (id != null && node != null) {
            throw new CliException(CliException.USAGE, "give a task ID or --node, not both");
        }
        if (follow) {
            if (node != null) {
                throw new CliException(CliException.USAGE, "--follow follows one task ID or all tasks, not --node");
            }
            TaskWatch w = new TaskWatch(root());
            return id == null ? w.followAll() : w.follow(api().get("/api/v1/tasks/" + id));
        }
        if (id != null) {
            emit(api().get("/api/v1/tasks/" + id), TasksCommand::show);
        } else {
            String path = node == null ? "/api/v1/tasks" : NodesCommand.path(node) + "/tasks";
            emit(api().get(path), TasksCommand::table);
        }
        return 0;
    }

    /** What the task works on: {@code reboot node 3}, {@code import debian-12}. */
    static String what(JsonNode t) {
        String kind = t.path("kind").asText();
        if (t.path("os").isTextual()) {
            return kind + " " + t.path("os").asText();
        }
        return t.path("nodeId").isNull()
                ? kind
                : kind + " node " + t.path("nodeId").asLong();
    }

    static String table(JsonNode tasks) {
        Table t = new Table("id", "task", "state", "attempts", "created", "detail");
        for (JsonNode k : tasks) {
            String state = k.path("state").asText();
            Object detail = switch (state) {
                case "queued" -> k.path("blockedBy");
                case "failed" -> k.path("error");
                default ->
                    k.path("progress").isObject()
                            ? k.at("/progress/files").asLong() + " files, "
                                    + Table.bytes(k.at("/progress/bytes").asLong())
                            : null;
            };
            t.row(
                    k.path("id"),
                    what(k),
                    state,
                    k.path("attempts").asInt() + "/" + k.path("maxAttempts").asInt(),
                    Table.when(k.path("createdAt")),
                    detail);
        }
        return t.render();
    }

    static String show(JsonNode k) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("id", k.path("id"));
        f.put("task", what(k));
        if (k.path("source").isTextual()) {
            f.put("source", k.path("source"));
        }
        f.put("state", k.path("state"));
        f.put(
                "attempts",
                k.path("attempts").asInt() + "/" + k.path("maxAttempts").asInt());
        f.put("blocked by", k.path("blockedBy"));
        f.put("created", Table.when(k.path("createdAt")));
        f.put("started", Table.when(k.path("startedAt")));
        f.put("finished", Table.when(k.path("finishedAt")));
        f.put("instance", k.path("instance")); // the anvild that ran the latest attempt (doc/scale-out.md)
        if (k.path("progress").isObject()) {
            f.put(
                    "progress",
                    k.at("/progress/files").asLong() + " files, "
                            + Table.bytes(k.at("/progress/bytes").asLong()));
        }
        f.put("error", k.path("error"));
        StringBuilder out = new StringBuilder(Table.fields(f));
        String log = k.path("log").asText();
        if (!log.isEmpty()) {
            out.append("log:\n");
            log.lines().forEach(l -> out.append("  ").append(l).append('\n'));
        }
        return out.toString();
    }

    /** A task just queued: {@code task 7 import debian-12: queued (anvil tasks 7 --follow)}. */
    static String queued(JsonNode t) {
        return TaskWatch.line(t) + "  (anvil tasks " + t.path("id").asLong() + " --follow)\n";
    }
}
