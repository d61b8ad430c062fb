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
            + "created_at, started_at, finished_at, log, error, progress_files, progress_bytes";
    private static final int MAX_LOG = 64 * 1024;

    private final Jdbc jdbc;

    SqlTaskStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Task enqueue(long nodeId, String kind, String args, int maxAttempts, Instant notBefore, Instant now) {
        return jdbc.tx(c -> {
            long id = Jdbc.nextId(c, "tasks");
            try (PreparedStatement p =
                    c.prepareStatement("INSERT INTO tasks (id, node_id, kind, args, state, attempts, "
                            + "max_attempts, not_before, created_at, log) "
                            + "VALUES (?, ?, ?, ?, 'QUEUED', 0, ?, ?, ?, '')")) {
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
    public void release(long id, String log) {
        jdbc.tx(c -> update(
                c,
                "UPDATE tasks SET state = 'QUEUED', attempts = attempts - 1, log = ? WHERE id = ? "
                        + "AND state = 'RUNNING'",
                clip(log, MAX_LOG),
                id));
    }

    @Override
    public boolean claim(long id, Instant now) {
        return jdbc.tx(c -> update(
                        c,
                        "UPDATE tasks SET state = 'RUNNING', attempts = attempts + 1, started_at = ? "
                                + "WHERE id = ? AND state = 'QUEUED'",
                        time(now),
                        id)
                == 1);
    }

    @Override
    public void finish(long id, TaskState state, String log, Optional<String> error, Instant now) {
        jdbc.tx(c -> update(
                c,
                "UPDATE tasks SET state = ?, finished_at = ?, log = ?, error = ? WHERE id = ? "
                        + "AND state = 'RUNNING'",
                state.name(),
                time(now),
                clip(log, MAX_LOG),
                error.map(e -> clip(e, 1024)).orElse(null),
                id));
    }

    @Override
    public void progress(long id, Progress progress) {
        jdbc.tx(c -> update(
                c,
                "UPDATE tasks SET progress_files = ?, progress_bytes = ? WHERE id = ? AND state = 'RUNNING'",
                progress.files(),
                progress.bytes(),
                id));
    }

    @Override
    public List<Task> abandon(String kind, String error, Instant now) {
        return jdbc.tx(c -> {
            List<Task> cut =
                    select(c, "kind = ? AND node_id IS NULL AND state IN ('QUEUED', 'RUNNING') ORDER BY id", kind);
            update(
                    c,
                    "UPDATE tasks SET state = 'FAILED', finished_at = ?, error = ? WHERE kind = ? AND node_id IS NULL "
                            + "AND state IN ('QUEUED', 'RUNNING')",
                    time(now),
                    clip(error, 1024),
                    kind);
            return cut;
        });
    }

    @Override
    public void retry(long id, Instant notBefore, String log, String error) {
        jdbc.tx(c -> update(
                c,
                "UPDATE tasks SET state = 'QUEUED', not_before = ?, log = ?, error = ? WHERE id = ? "
                        + "AND state = 'RUNNING'",
                time(notBefore),
                clip(log, MAX_LOG),
                clip(error, 1024),
                id));
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
                            progress(rs)));
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
