package dev.anvil.store.sql;

import dev.anvil.core.auth.ApiToken;
import dev.anvil.core.auth.Role;
import dev.anvil.store.ApiTokenStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

final class SqlApiTokenStore implements ApiTokenStore {
    private static final String COLUMNS = "id, name, role, created_at";
    private final Jdbc jdbc;

    SqlApiTokenStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public ApiToken add(String name, Role role, String secretSha256, Instant createdAt) {
        return jdbc.tx(c -> {
            long id = Jdbc.nextId(c, "api_tokens");
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO api_tokens (id, name, role, secret_sha256, " + "created_at) VALUES (?, ?, ?, ?, ?)")) {
                p.setLong(1, id);
                p.setString(2, name);
                p.setString(3, role.name());
                p.setString(4, secretSha256);
                p.setTimestamp(5, Timestamp.from(createdAt));
                p.executeUpdate();
                return new ApiToken(id, name, role, createdAt);
            }
        });
    }

    @Override
    public Optional<ApiToken> bySecretSha256(String secretSha256) {
        return jdbc.read(c -> {
            try (PreparedStatement p =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM api_tokens WHERE secret_sha256 = ?")) {
                p.setString(1, secretSha256);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<ApiToken> list() {
        return jdbc.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM api_tokens ORDER BY id");
                    ResultSet rs = p.executeQuery()) {
                List<ApiToken> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row(rs));
                }
                return out;
            }
        });
    }

    @Override
    public boolean remove(long id) {
        return jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM api_tokens WHERE id = ?")) {
                p.setLong(1, id);
                return p.executeUpdate() == 1;
            }
        });
    }

    @Override
    public long count(Role role) {
        return jdbc.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM api_tokens WHERE role = ?")) {
                p.setString(1, role.name());
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private static ApiToken row(ResultSet rs) throws SQLException {
        return new ApiToken(
                rs.getLong(1),
                rs.getString(2),
                Role.valueOf(rs.getString(3)),
                rs.getTimestamp(4).toInstant());
    }
}
