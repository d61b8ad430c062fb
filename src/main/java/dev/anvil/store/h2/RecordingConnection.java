package dev.anvil.store.h2;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A connection that notes every statement a write transaction executes, with its parameters, for the
 * {@link RedoLog}. Queries ({@code executeQuery}) are not noted; updates are noted only when they succeed (a
 * failed statement does not change H2's state, and the transaction may go on). The unit of work may not
 * commit, roll back or set savepoints itself: {@link Jdbc#tx} does that around the journal.
 */
final class RecordingConnection {
    private RecordingConnection() {}

    static Connection wrap(Connection raw, List<RedoLog.Stmt> sink) {
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "prepareStatement" -> {
                            PreparedStatement p = (PreparedStatement) call(raw, m, args);
                            return statement(PreparedStatement.class, p, (String) args[0], sink);
                        }
                        case "createStatement" -> {
                            Statement s = (Statement) call(raw, m, args);
                            return statement(Statement.class, s, null, sink);
                        }
                        case "prepareCall",
                                "commit",
                                "rollback",
                                "setSavepoint",
                                "releaseSavepoint",
                                "setAutoCommit",
                                "close" ->
                            throw new UnsupportedOperationException(
                                    m.getName() + " inside a journaled store transaction");
                        default -> {
                            return call(raw, m, args);
                        }
                    }
                });
    }

    private static <S extends Statement> S statement(Class<S> type, S raw, String sql, List<RedoLog.Stmt> sink) {
        return type.cast(
                Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new Recorder(raw, sql, sink)));
    }

    /** Keeps the bound parameters and the batch; notes what ran when it succeeded. */
    private static final class Recorder implements InvocationHandler {
        private final Statement raw;
        private final String sql;
        private final List<RedoLog.Stmt> sink;
        private final TreeMap<Integer, Object> params = new TreeMap<>();
        private final List<RedoLog.Stmt> batch = new ArrayList<>();

        Recorder(Statement raw, String sql, List<RedoLog.Stmt> sink) {
            this.raw = raw;
            this.sql = sql;
            this.sink = sink;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            String name = m.getName();
            int argc = args == null ? 0 : args.length;
            if (name.startsWith("set")
                    && argc >= 2
                    && args[0] instanceof Integer index
                    && m.getDeclaringClass() == PreparedStatement.class) {
                Object value = name.equals("setNull") ? null : args[1];
                if (!RedoLog.recordable(value)) {
                    throw new IllegalArgumentException("a journaled store statement cannot take a "
                            + value.getClass().getName() + " (" + name + ")");
                }
                Object result = call(raw, m, args);
                params.put(index, value);
                return result;
            }
            switch (name) {
                case "clearParameters" -> params.clear();
                case "clearBatch" -> batch.clear();
                case "addBatch" -> {
                    Object result = call(raw, m, args);
                    batch.add(argc == 0 ? current() : new RedoLog.Stmt((String) args[0], List.of()));
                    return result;
                }
                case "executeBatch", "executeLargeBatch" -> {
                    Object result = call(raw, m, args);
                    sink.addAll(batch);
                    batch.clear();
                    return result;
                }
                case "execute", "executeUpdate", "executeLargeUpdate" -> {
                    Object result = call(raw, m, args);
                    sink.add(argc == 0 ? current() : new RedoLog.Stmt((String) args[0], List.of()));
                    return result;
                }
                default -> {}
            }
            return call(raw, m, args);
        }

        private RedoLog.Stmt current() {
            List<Object> values = new ArrayList<>(params.size());
            int expected = 1;
            for (var e : params.entrySet()) {
                if (e.getKey() != expected++) {
                    throw new IllegalStateException(
                            "parameter " + (expected - 1) + " of a journaled statement is not set");
                }
                values.add(e.getValue());
            }
            return new RedoLog.Stmt(sql, values);
        }
    }

    private static Object call(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
