package dev.anvil.store.sql;

import dev.anvil.store.ApiTokenStore;
import dev.anvil.store.BmcStore;
import dev.anvil.store.DnsRecordStore;
import dev.anvil.store.InstallTokenStore;
import dev.anvil.store.InstanceStore;
import dev.anvil.store.MetaStore;
import dev.anvil.store.NetworkStore;
import dev.anvil.store.NodeStore;
import dev.anvil.store.Store;
import dev.anvil.store.StoreHealth;
import dev.anvil.store.TaskStore;
import dev.anvil.store.TimelineStore;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The stores in SQL, one contract for every backend: the SQL is shared, {@link Jdbc} (transactions,
 * durability) and {@link Dialect} (the few statements said differently) are the backend's. {@code H2Store}
 * and {@code PgStore} open it.
 */
public class SqlStore implements Store {
    private final Jdbc jdbc;
    private final SqlNetworkStore networks;
    private final SqlNodeStore nodes;
    private final SqlMetaStore meta;
    private final SqlInstallTokenStore installTokens;
    private final SqlTaskStore tasks;
    private final SqlApiTokenStore apiTokens;
    private final SqlDnsRecordStore dnsRecords;
    private final SqlTimelineStore timeline;
    private final SqlBmcStore bmcs;
    private final SqlInstanceStore instances;

    protected SqlStore(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.networks = new SqlNetworkStore(jdbc);
        this.nodes = new SqlNodeStore(jdbc);
        this.meta = new SqlMetaStore(jdbc);
        this.installTokens = new SqlInstallTokenStore(jdbc);
        this.tasks = new SqlTaskStore(jdbc);
        this.apiTokens = new SqlApiTokenStore(jdbc);
        this.dnsRecords = new SqlDnsRecordStore(jdbc);
        this.timeline = new SqlTimelineStore(jdbc);
        this.bmcs = new SqlBmcStore(jdbc);
        this.instances = new SqlInstanceStore(jdbc);
    }

    /** The backend, for {@link StoreCopy}. */
    final Jdbc jdbc() {
        return jdbc;
    }

    @Override
    public NetworkStore networks() {
        return networks;
    }

    @Override
    public NodeStore nodes() {
        return nodes;
    }

    @Override
    public InstallTokenStore installTokens() {
        return installTokens;
    }

    @Override
    public TaskStore tasks() {
        return tasks;
    }

    @Override
    public ApiTokenStore apiTokens() {
        return apiTokens;
    }

    @Override
    public DnsRecordStore dnsRecords() {
        return dnsRecords;
    }

    @Override
    public TimelineStore timeline() {
        return timeline;
    }

    @Override
    public BmcStore bmcs() {
        return bmcs;
    }

    @Override
    public InstanceStore instances() {
        return instances;
    }

    @Override
    public MetaStore meta() {
        return meta;
    }

    @Override
    public StoreHealth health() {
        long t0 = System.nanoTime();
        String backend = jdbc.dialect().label();
        try {
            jdbc.read(c -> {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT 1")) {
                    return rs.next();
                }
            });
            return new StoreHealth(true, (System.nanoTime() - t0) / 1000, backend, "ok");
        } catch (RuntimeException e) {
            return new StoreHealth(false, (System.nanoTime() - t0) / 1000, backend, String.valueOf(e.getMessage()));
        }
    }

    /** Closes the backend cleanly (H2: a checkpoint, so the next open needs no recovery; the pool's connections). */
    @Override
    public void close() {
        jdbc.close();
    }
}
