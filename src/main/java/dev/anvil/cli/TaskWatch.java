package dev.anvil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Follows tasks by polling {@code GET /api/v1/tasks/{id}} (or the list): one line on stdout each time a task's
 * state or reason changes, and, when the output is a terminal, a progress line on stderr redrawn in place (an
 * import's files, bytes and rate so far: the API knows no total, so it is a counter, not a bar).
 */
final class TaskWatch {
    static final long POLL_MILLIS = 250;

    private final Anvil root;
    private final PrintStream progress;

    TaskWatch(Anvil root) {
        this.root = root;
        this.progress = System.console() != null ? System.err : null;
    }

    /** Follows one task until it is done (0) or failed ({@link CliException#REFUSED}). */
    int follow(JsonNode task) {
        long id = task.path("id").asLong();
        long t0 = System.nanoTime();
        String last = null;
        while (true) {
            String line = line(task);
            if (!line.equals(last)) {
                clearProgress();
                if (!root.json()) {
                    root.out().println(line);
                    root.out().flush();
                }
                last = line;
            }
            String state = task.path("state").asText();
            if (state.equals("done") || state.equals("failed")) {
                clearProgress();
                if (root.json()) {
                    root.printJson(task);
                }
                if (state.equals("failed")) {
                    throw new CliException(
                            CliException.REFUSED, "task " + id + " failed: " + Table.text(task.path("error")));
                }
                return 0;
            }
            if (progress != null && state.equals("running")) {
                progress.print("\r" + progressLine(task, (System.nanoTime() - t0) / 1_000_000_000.0) + "\033[K");
                progress.flush();
            }
            sleep();
            task = root.api().get("/api/v1/tasks/" + id);
        }
    }

    /** Follows every task until none is queued or running; a line per change. */
    int followAll() {
        Map<Long, String> seen = new HashMap<>();
        while (true) {
            JsonNode tasks = root.api().get("/api/v1/tasks");
            boolean active = false;
            for (int i = tasks.size() - 1; i >= 0; i--) {
                JsonNode t = tasks.get(i);
                String state = t.path("state").asText();
                boolean ended = state.equals("done") || state.equals("failed");
                active |= !ended;
                String line = line(t);
                String before = seen.put(t.path("id").asLong(), line);
                if (before == null ? !ended : !before.equals(line)) {
                    if (root.json()) {
                        root.printJson(t);
                    } else {
                        root.out().println(line);
                        root.out().flush();
                    }
                }
            }
            if (!active) {
                if (!root.json()) {
                    root.out().println("no task queued or running");
                }
                return 0;
            }
            sleep();
        }
    }

    /** What a task is and where it stands, one line: {@code task 7 import debian-12: done, 2817 files, 3.7 GiB}. */
    static String line(JsonNode t) {
        StringBuilder s = new StringBuilder("task ")
                .append(t.path("id").asLong())
                .append(' ')
                .append(TasksCommand.what(t))
                .append(": ")
                .append(t.path("state").asText());
        String state = t.path("state").asText();
        if (state.equals("queued") && t.path("blockedBy").isTextual()) {
            s.append(" (").append(t.path("blockedBy").asText()).append(')');
        }
        if (state.equals("done") && t.path("progress").isObject()) {
            s.append(", ")
                    .append(t.at("/progress/files").asLong())
                    .append(" files, ")
                    .append(Table.bytes(t.at("/progress/bytes").asLong()));
        }
        if (state.equals("failed")) {
            s.append(": ").append(Table.text(t.path("error")));
        }
        return s.toString();
    }

    /** The progress line a terminal shows while a task runs. */
    static String progressLine(JsonNode t, double seconds) {
        StringBuilder s = new StringBuilder("  ").append(TasksCommand.what(t)).append(": ");
        JsonNode p = t.path("progress");
        if (p.isObject()) {
            long bytes = p.path("bytes").asLong();
            s.append(p.path("files").asLong())
                    .append(" files, ")
                    .append(Table.bytes(bytes))
                    .append(seconds >= 1 ? ", " + Table.bytes((long) (bytes / seconds)) + "/s" : "");
        } else {
            s.append("running");
        }
        return s.append(String.format(java.util.Locale.ROOT, " [%.0fs]", seconds))
                .toString();
    }

    private void clearProgress() {
        if (progress != null) {
            progress.print("\r\033[K");
            progress.flush();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.REFUSED, "interrupted");
        }
    }
}
