package dev.anvil.store.sql;

import dev.anvil.store.TaskStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class SqlTaskStore implements TaskStore {
    private static final String COLUMNS = "id, node_id, kind, args, state, attempts, max_attempts, not_before, "
            + "created_at, started_at, finished_at, log, error, progress_files, progress_bytes, instance";
    private static final int MAX_LOG = 64 * 1024;

    private final Jdbc jdbc;

    SqlTaskStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Task enqueue(long nodeId, String kind, String args, int maxAttempts, Instant notBefore, Instant now) {
        return insert(nodeId, kind, args, maxAttempts, notBefore, now, null);
    }

    @Override
    public Task enqueueOwn(String instance, String kind, String args, Instant now) {
        return insert(Task.NO_NODE, kind, args, 1, now, now, instance);
    }

    private Task insert(
            long nodeId, String kind, String args, int maxAttempts, Instant notBefore, Instant now, String instance) {
        return jdbc.tx(c -> {
            long id = Jdbc.nextId(c, "tasks");
            try (PreparedStatement p =
                    c.prepareStatement("INSERT INTO tasks (id, node_id, kind, args, state, attempts, "
                            + "max_attempts, not_before, created_at, log, instance) "
                            + "VALUES (?, ?, ?, ?, 'QUEUED', 0, ?, ?, ?, '', ?)")) {
                p.setLong(1, id);
                if (nodeId == Task.NO_NODE) {
                    p.setNull(2, java.sql.Types.BIGINT);
                } else {
                    p.setLong(2, nodeId);
                }
                p.setString(3, kind);
                p.setString(4, args);
                p.setInt(5, maxAttempts);
                p.setObject(6, time(notBefore));
                p.setObject(7, time(now));
                p.setString(8, instance);
                p.executeUpdate();
            }
            return select(c, "id = ?", id).get(0);
        });
    }

    @Override
    public List<Task> due(Instant now, long afterId, int limit) {
        return jdbc.read(c -> select(
                c,
                "state = 'QUEUED' AND node_id IS NOT NULL AND not_before <= ? AND id > ? " + "ORDER BY id LIMIT "
                        + limit,
                time(now),
                afterId));
    }

    @Override
    public Optional<Instant> nextDue(Instant now) {
        return jdbc.read(c -> {
            try (PreparedStatement p = bind(
                    c.prepareStatement("SELECT MIN(not_before) FROM tasks "
                            + "WHERE state = 'QUEUED' AND node_id IS NOT NULL AND not_before > ?"),
                    time(now))) {
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? instant(rs, 1) : Optional.<Instant>empty();
                }
            }
        });
    }

    @Override
    public void release(long id, String instance, String log) {
        jdbc.tx(c -> update(
                c,
                "UPDATE tasks SET state = 'QUEUED', attempts = attempts - 1, log = ? WHERE id = ? "
                        + "AND state = 'RUNNING' AND instance = ?",
                clip(log, MAX_LOG),
                id,
                instance));
    }

    @Override
    public boolean claim(long id, String instance, Instant now) {
        return jdbc.tx(c -> update(
                        c,
                        "UPDATE tasks SET state = 'RUNNING', attempts = attempts + 1, started_at = ?, instance = ? "
                                + "WHERE id = ? AND state = 'QUEUED'",
                        time(now),
                        instance,
                        id)
                == 1);
    }

    @Override
    public void finish(long id, String instance, TaskState state, String log, Optional<String> error, Instant now) {
        jdbc.tx(c -> update(
                c,
                "UPDATE tasks SET state = ?, finished_at = ?, log = ?, error = ? WHERE id = ? "
                        + "AND state = 'RUNNING' AND instance = ?",
                state.name(),
                time(now),
                clip(log, MAX_LOG),
                error.map(e -> clip(e, 1024)).orElse(null),
                id,
                instance));
    }

    @Override
    public void progress(long id, String instance, Progress progress) {
        jdbc.tx(c -> update(
                c,
                "UPDATE tasks SET progress_files = ?, progress_bytes = ? WHERE id = ? AND state = 'RUNNING' "
                        + "AND instance = ?",
                progress.files(),
                progress.bytes(),
                id,
                instance));
    }

    @Override
    public List<Task> abandon(String kind, String instance, String error, Instant now) {
        String mine = "kind = ? AND node_id IS NULL AND state IN ('QUEUED', 'RUNNING') "
                + "AND (instance = ? OR instance IS NULL)";
        return jdbc.tx(c -> {
            List<Task> cut = select(c, mine + " ORDER BY id", kind, instance);
            update(
                    c,
                    "UPDATE tasks SET state = 'FAILED', finished_at = ?, error = ? WHERE " + mine,
                    time(now),
                    clip(error, 1024),
                    kind,
                    instance);
            return cut;
        });
    }

    @Override
    public void retry(long id, String instance, Instant notBefore, String log, String error) {
        jdbc.tx(c -> update(
                c,
                "UPDATE tasks SET state = 'QUEUED', not_before = ?, log = ?, error = ? WHERE id = ? "
                        + "AND state = 'RUNNING' AND instance = ?",
                time(notBefore),
                clip(log, MAX_LOG),
                clip(error, 1024),
                id,
                instance));
    }

    @Override
    public int recover(Instant now, Instant notBefore) {
        return jdbc.tx(c -> {
            // Tasks without a node (OS imports) are their own runner's: ImportQueue fails them at its start.
            update(
                    c,
                    "UPDATE tasks SET not_before = ? WHERE state = 'QUEUED' AND not_before < ? AND node_id IN "
                            + "(SELECT node_id FROM tasks WHERE state = 'RUNNING' AND node_id IS NOT NULL)",
                    time(notBefore),
                    time(notBefore));
            return update(
                            c,
                            "UPDATE tasks SET state = 'FAILED', finished_at = ?, error = 'interrupted by a restart; "
                                    + "no attempts left' WHERE state = 'RUNNING' AND node_id IS NOT NULL "
                                    + "AND attempts >= max_attempts",
                            time(now))
                    + update(
                            c,
                            "UPDATE tasks SET state = 'QUEUED', not_before = ?, error = 'interrupted by a restart; "
                                    + "retried' WHERE state = 'RUNNING' AND node_id IS NOT NULL",
                            time(notBefore));
        });
    }

    @Override
    public List<Task> takeOver(String self, boolean ownToo, Instant staleBefore, Instant now, Instant notBefore) {
        return jdbc.tx(c -> {
            List<Task> gone = select(
                    c,
                    "state = 'RUNNING' AND node_id IS NOT NULL AND (instance IS NULL OR (instance <> ? AND instance "
                            + "NOT IN (SELECT id FROM instances WHERE heartbeat_at >= ?))"
                            + (ownToo ? " OR instance = ?" : "") + ") ORDER BY id",
                    ownToo ? new Object[] {self, time(staleBefore), self} : new Object[] {self, time(staleBefore)});
            List<Task> taken = new ArrayList<>();
            for (Task t : gone) {
                String who = t.instance().orElse("(none recorded)");
                String why = t.instance().filter(self::equals).isPresent()
                        ? "interrupted by a restart of instance " + self
                        : "instance " + who + " stopped (no heartbeat since " + staleBefore + "); taken over by "
                                + self;
                boolean retried = t.attempts() < t.maxAttempts();
                String error = why + (retried ? "; retried" : "; no attempts left");
                String log = t.log() + now + " attempt " + t.attempts() + " of " + t.maxAttempts() + " on instance "
                        + who + " cut off: " + error + "\n";
                // The fence: still the same attempt of the same instance (not ended nor taken by a peer meanwhile).
                String same = " WHERE id = ? AND state = 'RUNNING' AND attempts = ? AND "
                        + (t.instance().isPresent() ? "instance = ?" : "instance IS NULL");
                Object[] fence = t.instance().isPresent()
                        ? new Object[] {t.id(), t.attempts(), t.instance().get()}
                        : new Object[] {t.id(), t.attempts()};
                int n = retried
                        ? update(
                                c,
                                "UPDATE tasks SET state = 'QUEUED', not_before = ?, error = ?, log = ?" + same,
                                concat(new Object[] {time(notBefore), clip(error, 1024), clip(log, MAX_LOG)}, fence))
                        : update(
                                c,
                                "UPDATE tasks SET state = 'FAILED', finished_at = ?, error = ?, log = ?" + same,
                                concat(new Object[] {time(now), clip(error, 1024), clip(log, MAX_LOG)}, fence));
                if (n == 1) {
                    // The cut-off attempt may still run on the node: its queued tasks wait (as recover's).
                    update(
                            c,
                            "UPDATE tasks SET not_before = ? WHERE state = 'QUEUED' AND not_before < ? AND node_id = ?",
                            time(notBefore),
                            time(notBefore),
                            t.nodeId());
                    taken.add(t);
                }
            }
            return taken;
        });
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public List<Task> list(Optional<Long> nodeId, int limit) {
        return jdbc.read(c -> nodeId.isPresent()
                ? select(c, "node_id = ? ORDER BY id DESC LIMIT " + limit, nodeId.get())
                : select(c, "TRUE ORDER BY id DESC LIMIT " + limit));
    }

    @Override
    public Optional<Task> get(long id) {
        return jdbc.read(c -> select(c, "id = ?", id).stream().findFirst());
    }

    @Override
    public Map<TaskState, Long> countByState() {
        return jdbc.read(c -> {
            Map<TaskState, Long> out = new EnumMap<>(TaskState.class);
            try (PreparedStatement p = c.prepareStatement("SELECT state, COUNT(*) FROM tasks GROUP BY state");
                    ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.put(TaskState.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return out;
        });
    }

    /** Runs an UPDATE with its parameters bound in order; returns the rows changed. */
    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = bind(c.prepareStatement(sql), args)) {
            return p.executeUpdate();
        }
    }

    private static PreparedStatement bind(PreparedStatement p, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            p.setObject(i + 1, args[i]);
        }
        return p;
    }

    private static List<Task> select(Connection c, String where, Object... args) throws SQLException {
        List<Task> out = new ArrayList<>();
        try (PreparedStatement p = bind(c.prepareStatement("SELECT " + COLUMNS + " FROM tasks WHERE " + where), args)) {
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Task(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getString(3),
                            rs.getString(4),
                            TaskState.valueOf(rs.getString(5)),
                            rs.getInt(6),
                            rs.getInt(7),
                            instant(rs, 8).orElseThrow(),
                            instant(rs, 9).orElseThrow(),
                            instant(rs, 10),
                            instant(rs, 11),
                            Optional.ofNullable(rs.getString(12)).orElse(""),
                            Optional.ofNullable(rs.getString(13)),
                            progress(rs),
                            Optional.ofNullable(rs.getString(16))));
                }
            }
        }
        return out;
    }

    private static Optional<Progress> progress(ResultSet rs) throws SQLException {
        long files = rs.getLong(14);
        return rs.wasNull() ? Optional.empty() : Optional.of(new Progress(files, rs.getLong(15)));
    }

    private static Optional<Instant> instant(ResultSet rs, int col) throws SQLException {
        return Optional.ofNullable(rs.getObject(col, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
    }

    private static OffsetDateTime time(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(s.length() - max);
    }
}
