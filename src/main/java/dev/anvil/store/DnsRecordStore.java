package dev.anvil.store;

import dev.anvil.core.ConflictException;
import dev.anvil.core.dns.DnsRecord;
import java.util.List;
import java.util.Optional;

/** The operator's DNS records. Each method is one transaction. */
public interface DnsRecordStore {
    /** Every record, by id. */
    List<DnsRecord> list();

    Optional<DnsRecord> get(long id);

    /** Stores the record under a new id; the same name, type and data twice is a {@link ConflictException}. */
    DnsRecord create(DnsRecord record);

    /** Deletes the record and returns it; a missing one is a {@link dev.anvil.core.NotFoundException}. */
    DnsRecord delete(long id);
}
