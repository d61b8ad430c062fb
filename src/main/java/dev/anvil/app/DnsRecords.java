package dev.anvil.app;

import dev.anvil.core.ConflictException;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.dns.DnsRecord;
import dev.anvil.core.dns.DnsRecordEvent;
import dev.anvil.core.net.Network;
import dev.anvil.core.net.NetworkCatalog;
import dev.anvil.store.DnsRecordStore;
import dev.anvil.store.NodeStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The operator's DNS records: list, add, delete. A record must lie in one of the networks' domains; a CNAME
 * stands alone at its name (RFC 1034 §3.6.2: no node, no other record, not a zone's apex), and no other
 * record joins a CNAME. Writes are serialized and each committed change is delivered to the subscribers (the
 * DNS zones) before the next write begins, so they see the changes in commit order.
 */
public final class DnsRecords {
    private final DnsRecordStore store;
    private final NodeStore nodes;
    private final NetworkCatalog networks;
    private final List<Consumer<DnsRecordEvent>> subscribers = new CopyOnWriteArrayList<>();
    /** Guarded by this: the records as this instance last knew them (its own writes and what {@link #sync} found). */
    private final Map<Long, DnsRecord> known = new HashMap<>();

    public DnsRecords(DnsRecordStore store, NodeStore nodes, NetworkCatalog networks) {
        this.store = store;
        this.nodes = nodes;
        this.networks = networks;
        store.list().forEach(r -> known.put(r.id(), r));
    }

    public void subscribe(Consumer<DnsRecordEvent> subscriber) {
        subscribers.add(subscriber);
    }

    public List<DnsRecord> list() {
        return store.list();
    }

    /** Checks and stores the record ({@link DnsRecord#of} validated it); returns it with its id. */
    public synchronized DnsRecord create(DnsRecord r) {
        List<String> domains = networks.all().stream().map(Network::domain).toList();
        if (domains.stream().noneMatch(d -> r.name().equals(d) || r.name().endsWith("." + d))) {
            throw new InvalidInputException("name", r.name() + " is not inside a zone Anvil serves " + domains);
        }
        List<DnsRecord> here =
                store.list().stream().filter(x -> x.name().equals(r.name())).toList();
        if (r.type() == DnsRecord.Type.CNAME) {
            if (domains.contains(r.name())) {
                throw new ConflictException("name", r.name() + " is a zone's apex: it cannot be a CNAME");
            }
            if (!here.isEmpty()) {
                throw new ConflictException(
                        "name", r.name() + " has other records: a CNAME must stand alone (RFC 1034)");
            }
            if (nodes.get(r.name()).isPresent()) {
                throw new ConflictException(
                        "name", r.name() + " is a node's name: a CNAME must stand alone (RFC 1034)");
            }
        } else if (here.stream().anyMatch(x -> x.type() == DnsRecord.Type.CNAME)) {
            throw new ConflictException("name", r.name() + " is a CNAME: no other record can join it (RFC 1034)");
        }
        DnsRecord saved = store.create(r);
        known.put(saved.id(), saved);
        publish(new DnsRecordEvent(true, saved));
        return saved;
    }

    public synchronized DnsRecord delete(long id) {
        DnsRecord gone = store.delete(id);
        known.remove(id);
        publish(new DnsRecordEvent(false, gone));
        return gone;
    }

    /**
     * Another instance sharing the store may have changed the records (doc/scale-out.md): compares the store's with
     * the ones this instance knows and publishes each difference (a deletion, then an addition) as if it were a
     * write of its own; returns how many it found (0 for this instance's own writes, which it knows already).
     */
    public synchronized int sync() {
        Map<Long, DnsRecord> now = new HashMap<>();
        store.list().forEach(r -> now.put(r.id(), r));
        int found = 0;
        for (DnsRecord k : List.copyOf(known.values())) {
            if (!k.equals(now.get(k.id()))) {
                known.remove(k.id());
                publish(new DnsRecordEvent(false, k));
                found++;
            }
        }
        for (DnsRecord r : now.values()) {
            if (!known.containsKey(r.id())) {
                known.put(r.id(), r);
                publish(new DnsRecordEvent(true, r));
                found++;
            }
        }
        return found;
    }

    private void publish(DnsRecordEvent e) {
        for (Consumer<DnsRecordEvent> s : subscribers) {
            s.accept(e);
        }
    }
}
