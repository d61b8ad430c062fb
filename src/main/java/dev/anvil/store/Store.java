package dev.anvil.store;

/** Anvil's durable state, behind narrow interfaces so another backend (PostgreSQL) can stand in for H2. */
public interface Store extends AutoCloseable {
    NetworkStore networks();

    NodeStore nodes();

    MetaStore meta();

    InstallTokenStore installTokens();

    TaskStore tasks();

    ApiTokenStore apiTokens();

    DnsRecordStore dnsRecords();

    /** The per-node boot timelines. */
    TimelineStore timeline();

    /** The nodes' BMC settings, passwords sealed (doc/power.md). */
    BmcStore bmcs();

    /** The anvild instances sharing this store and their heartbeats (doc/scale-out.md). */
    InstanceStore instances();

    /**
     * The DHCP leases shared by several instances (doc/scale-out.md); empty on a store only one instance can open
     * (H2, whose leases stay in the lease journal).
     */
    default java.util.Optional<SharedLeaseStore> sharedLeases() {
        return java.util.Optional.empty();
    }

    /** A cheap round trip to the backend, for the status endpoint. */
    StoreHealth health();

    @Override
    void close();
}
