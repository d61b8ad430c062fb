package dev.anvil.store.sql;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What the SQL stores say differently on H2 and PostgreSQL; everything else is one statement for both. The
 * migrations' differences are PostgreSQL twins of the scripts ({@link Migrations}).
 */
public enum Dialect {
    H2("h2", "db"),
    POSTGRESQL("postgresql", "db-postgresql");

    private final String label;
    private final String twins;

    Dialect(String label, String twins) {
        this.label = label;
        this.twins = twins;
    }

    /** The backend's name, as the status endpoint reports it. */
    public String label() {
        return label;
    }

    /** The class path folder whose scripts replace {@code db/}'s of the same name ({@code db} itself: none). */
    String twins() {
        return twins;
    }

    /**
     * An insert of one row that replaces the row with the same {@code key} columns: H2's {@code MERGE ... KEY},
     * PostgreSQL's {@code INSERT ... ON CONFLICT DO UPDATE}. {@code columns} comma-separated, key columns among
     * them; one {@code ?} per column, in their order.
     */
    public String upsert(String table, String key, String columns) {
        String[] cols = Arrays.stream(columns.split(",")).map(String::trim).toArray(String[]::new);
        String values = Arrays.stream(cols).map(c -> "?").collect(Collectors.joining(", "));
        String list = String.join(", ", cols);
        if (this == H2) {
            return "MERGE INTO " + table + " (" + list + ") KEY (" + key + ") VALUES (" + values + ")";
        }
        var keys = Arrays.stream(key.split(",")).map(String::trim).toList();
        String set = Arrays.stream(cols)
                .filter(c -> !keys.contains(c))
                .map(c -> c + " = EXCLUDED." + c)
                .collect(Collectors.joining(", "));
        return "INSERT INTO " + table + " (" + list + ") VALUES (" + values + ") ON CONFLICT (" + key + ") "
                + (set.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + set);
    }
}
