package dev.anvil.store;

import dev.anvil.core.lease.Lease;
import java.util.Collection;

/**
 * Durable DHCP leases. {@link #write} queues a lease; {@link #flush} returns once every queued lease has
 * reached the operating system, so a lease acknowledged after the flush survives kill -9 of the daemon.
 * Batching lets a burst of ACKs cost one system call. Offers are never written.
 */
public interface LeaseStore extends AutoCloseable {

  /** Every lease as last written, one per address. */
  Collection<Lease> load();

  void write(Lease lease);

  /** Hands every queued lease to the operating system. */
  void flush();

  @Override
  void close();
}
