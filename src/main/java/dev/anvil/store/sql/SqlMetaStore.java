package dev.anvil.store.sql;

import dev.anvil.core.ConflictException;
import dev.anvil.store.MetaStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;

final class SqlMetaStore implements MetaStore {
    private final Jdbc jdbc;

    SqlMetaStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<String> get(String key) {
        return jdbc.read(c -> select(c, key));
    }

    @Override
    public String getOrInit(String key, Supplier<String> initial) {
        Optional<String> existing = get(key);
        if (existing.isPresent()) {
            return existing.get();
        }
        String value = initial.get();
        try {
            jdbc.tx(c -> {
                try (PreparedStatement p =
                        c.prepareStatement("INSERT INTO meta (meta_key, meta_value) VALUES (?, ?)")) {
                    p.setString(1, key);
                    p.setString(2, value);
                    p.executeUpdate();
                }
                return null;
            });
            return value;
        } catch (ConflictException | dev.anvil.store.StoreException e) {
            // Another writer stored it first: theirs wins.
            return get(key).orElseThrow(() -> e);
        }
    }

    @Override
    public void remove(String key) {
        jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM meta WHERE meta_key = ?")) {
                p.setString(1, key);
                p.executeUpdate();
            }
            return null;
        });
    }

    private static Optional<String> select(Connection c, String key) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT meta_value FROM meta WHERE meta_key = ?")) {
            p.setString(1, key);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
