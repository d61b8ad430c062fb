package dev.anvil.store.sql;

import dev.anvil.core.NotFoundException;
import dev.anvil.core.power.Bmc;
import dev.anvil.core.power.Privilege;
import dev.anvil.core.power.SecretRef;
import dev.anvil.store.BmcStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/** {@code node_bmc}: one row per node with a BMC, its password sealed; written through {@link Jdbc#tx}. */
final class SqlBmcStore implements BmcStore {
    private static final String COLUMNS = "node_id, driver, address, port, username, privilege, cipher_suite, "
            + "verify_tls, uefi, secret, secret_key_id, secret_set_at, system, certificate_sha256";
    private final Jdbc jdbc;

    SqlBmcStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Stored> get(long nodeId) {
        return jdbc.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT driver, address, port, username, privilege, "
                    + "cipher_suite, verify_tls, uefi, secret, secret_key_id, secret_set_at, system, "
                    + "certificate_sha256 FROM node_bmc WHERE node_id = ?")) {
                p.setLong(1, nodeId);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    Bmc bmc = new Bmc(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getInt(3),
                            rs.getString(4),
                            Privilege.valueOf(rs.getString(5)),
                            rs.getInt(6),
                            rs.getBoolean(7),
                            rs.getBoolean(8),
                            Optional.ofNullable(rs.getString(12)),
                            Optional.ofNullable(rs.getString(13)),
                            new SecretRef(
                                    rs.getString(10),
                                    rs.getObject(11, OffsetDateTime.class).toInstant()));
                    return Optional.of(new Stored(bmc, rs.getBytes(9)));
                }
            }
        });
    }

    @Override
    public void put(long nodeId, Stored stored) {
        Bmc b = stored.bmc();
        jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM nodes WHERE id = ?")) {
                p.setLong(1, nodeId);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        throw new NotFoundException("no node " + nodeId);
                    }
                }
            }
            String upsert = jdbc.dialect().upsert("node_bmc", "node_id", COLUMNS);
            try (PreparedStatement p = c.prepareStatement(upsert)) {
                p.setLong(1, nodeId);
                p.setString(2, b.driver());
                p.setString(3, b.address());
                p.setInt(4, b.port());
                p.setString(5, b.user());
                p.setString(6, b.privilege().name());
                p.setInt(7, b.cipherSuite());
                p.setBoolean(8, b.verifyTls());
                p.setBoolean(9, b.uefi());
                p.setBytes(10, stored.sealedSecret());
                p.setString(11, b.secret().keyId());
                p.setObject(12, OffsetDateTime.ofInstant(b.secret().setAt(), ZoneOffset.UTC));
                p.setString(13, b.system().orElse(null));
                p.setString(14, b.certificateSha256().orElse(null));
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean delete(long nodeId) {
        return jdbc.tx(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM node_bmc WHERE node_id = ?")) {
                p.setLong(1, nodeId);
                return p.executeUpdate() == 1;
            }
        });
    }
}
