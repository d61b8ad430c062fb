package dev.anvil.store.sql;

import dev.anvil.store.InstallTokenStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.Optional;

final class SqlInstallTokenStore implements InstallTokenStore {
    private final Jdbc jdbc;

    SqlInstallTokenStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Armed> get(long nodeId) {
        return jdbc.read(c -> {
            try (PreparedStatement p =
                    c.prepareStatement("SELECT nonce, expires_at FROM install_tokens WHERE node_id = ?")) {
                p.setLong(1, nodeId);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new Armed(
                                    rs.getString(1), rs.getTimestamp(2).toInstant()))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public void put(long nodeId, Armed armed) {
        jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    jdbc.dialect().upsert("install_tokens", "node_id", "node_id, nonce, expires_at"))) {
                p.setLong(1, nodeId);
                p.setString(2, armed.nonce());
                p.setTimestamp(3, Timestamp.from(armed.expiresAt()));
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean consume(long nodeId, String nonce) {
        return jdbc.tx(c -> {
            try (PreparedStatement p =
                    c.prepareStatement("DELETE FROM install_tokens WHERE node_id = ? AND nonce = ?")) {
                p.setLong(1, nodeId);
                p.setString(2, nonce);
                return p.executeUpdate() == 1;
            }
        });
    }
}
