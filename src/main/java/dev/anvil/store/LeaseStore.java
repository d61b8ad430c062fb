package dev.anvil.store;

import dev.anvil.core.lease.Lease;
import java.util.Collection;
import java.util.function.Consumer;

/**
 * Durable DHCP leases. {@link #write} queues a lease; {@link #flush} returns once every queued lease has
 * reached the operating system (it survives kill -9 of the daemon); {@link #commit} also waits, without
 * blocking the caller, until they are on the disk (it survives a power cut), and one disk sync serves every
 * commit that waits for it (group commit). Batching lets a burst of ACKs cost one system call and one sync.
 * Offers are never written.
 */
public interface LeaseStore extends AutoCloseable {

    /** Every lease as last written, one per address. */
    Collection<Lease> load();

    void write(Lease lease);

    /** Hands every queued lease to the operating system. */
    void flush();

    /**
     * Hands every queued lease to the operating system now (a failure throws), then, once they are on the disk,
     * runs {@code durable} on the store's sync thread; if the sync fails, {@code failed} runs there instead.
     */
    void commit(Runnable durable, Consumer<RuntimeException> failed);

    /** The store's own counters for the status output (e.g. disk syncs and the commits they served). */
    default java.util.Map<String, Long> metrics() {
        return java.util.Map.of();
    }

    @Override
    void close();
}
