package dev.anvil.core.node;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process publication of committed node changes, versioned and in order.
 *
 * <p>{@link #commit} runs a store write and numbers its event under one lock, so versions follow the commit
 * order (a later write to the same node, MAC or address always has the higher version), and no version is
 * skipped. Delivery is in version order, one event at a time: subscribers see every change once, oldest
 * first, on the thread of whichever writer delivers it; a writer's call returns only once its event has been
 * delivered (except a write made by a subscriber itself, which is delivered right after the event in hand).
 * One that throws is logged and the others still run. Caches still check versions ({@link NodeEvent#version()})
 * so a duplicate or an event older than what they loaded never rolls them back.
 *
 * <p>A change another instance made to a shared store is published through {@link #publishIf}, numbered in the
 * same sequence: versions are this process's own, and keep the invariants above for every subscriber.
 */
public final class NodeEvents {
    private static final Logger log = LoggerFactory.getLogger(NodeEvents.class);
    private final List<Consumer<NodeEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final Object commitLock = new Object();
    private final ArrayDeque<NodeEvent> queue = new ArrayDeque<>(); // guarded by itself
    private final ReentrantLock delivery = new ReentrantLock();
    private volatile long version; // the last one given out; written under commitLock
    private volatile long delivered;
    private final Object deliveredSignal = new Object();

    /** Adds a subscriber; returns a handle that removes it. */
    public AutoCloseable subscribe(Consumer<NodeEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /**
     * Runs {@code write} (a store transaction that commits before it returns), gives its result the next
     * version, publishes {@code event(result, version)} and returns the result. A write that throws consumes
     * no version and publishes nothing.
     */
    public <T> T commit(Supplier<T> write, BiFunction<T, Long, NodeEvent> event) {
        return commitAll(write, (result, v) -> List.of(event.apply(result, v)));
    }

    /**
     * {@link #commit} for a write that makes several changes in one transaction (a node created, then moved on):
     * {@code events(result, first)} returns their events in order, versioned from {@code first} on, one apart.
     */
    public <T> T commitAll(Supplier<T> write, BiFunction<T, Long, List<NodeEvent>> events) {
        T result;
        synchronized (commitLock) {
            result = write.get();
            List<NodeEvent> es = events.apply(result, version + 1);
            long next = version + 1;
            for (NodeEvent e : es) {
                if (e.version() != next) {
                    throw new IllegalStateException("event version " + e.version() + ", expected " + next);
                }
                next++;
            }
            synchronized (queue) {
                queue.addAll(es);
            }
            version = next - 1;
        }
        deliver();
        return result;
    }

    /**
     * Publishes a change made outside this process (another instance's write to a shared store) if this process
     * does not have it yet. Waits until every change committed here has been delivered, then, under the commit
     * lock (no write of this process interleaves), calls {@code change} with the next version: it reads the node
     * from the store, compares it with what the subscribers have (the directory: it is current, every earlier
     * event delivered) and returns the event to publish, or empty when there is nothing to tell, which consumes
     * no version. Returns the event published; like {@link #commit}, once it has been delivered. Not for a
     * subscriber (it would wait for its own delivery).
     */
    public Optional<NodeEvent> publishIf(LongFunction<Optional<NodeEvent>> change) {
        if (delivery.isHeldByCurrentThread()) {
            throw new IllegalStateException("publishIf from a node event subscriber");
        }
        Optional<NodeEvent> published;
        while (true) {
            awaitDelivered();
            synchronized (commitLock) {
                if (delivered != version) {
                    continue; // a write committed meanwhile: wait for it to reach the subscribers too
                }
                published = change.apply(version + 1);
                if (published.isPresent()) {
                    NodeEvent e = published.get();
                    if (e.version() != version + 1) {
                        throw new IllegalStateException("event version " + e.version() + ", expected " + (version + 1));
                    }
                    synchronized (queue) {
                        queue.add(e);
                    }
                    version = e.version();
                }
                break;
            }
        }
        if (published.isPresent()) {
            deliver();
        }
        return published;
    }

    private void awaitDelivered() {
        synchronized (deliveredSignal) {
            while (delivered != version) {
                try {
                    deliveredSignal.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while node events are delivered", e);
                }
            }
        }
    }

    /** The version of the last committed change (0: none yet): every change up to it is in the store. */
    public long version() {
        return version;
    }

    /** The version of the last change every subscriber has seen. */
    public long delivered() {
        return delivered;
    }

    private void deliver() {
        if (delivery.isHeldByCurrentThread()) {
            return; // a subscriber's own write: the loop below delivers it once the event in hand is done
        }
        delivery.lock();
        try {
            while (true) {
                NodeEvent e;
                synchronized (queue) {
                    e = queue.poll();
                }
                if (e == null) {
                    return;
                }
                for (Consumer<NodeEvent> s : subscribers) {
                    try {
                        s.accept(e);
                    } catch (RuntimeException x) {
                        log.warn(
                                "node event subscriber failed on {} v{} of {}",
                                e.kind(),
                                e.version(),
                                e.node().name(),
                                x);
                    }
                }
                delivered = e.version();
                synchronized (deliveredSignal) {
                    deliveredSignal.notifyAll();
                }
            }
        } finally {
            delivery.unlock();
        }
    }
}
