package dev.anvil.core.node;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process publication of committed node changes. Subscribers run on the publishing thread, in
 * subscription order; one that throws is logged and the others still run.
 */
public final class NodeEvents {
  private static final Logger log = LoggerFactory.getLogger(NodeEvents.class);
  private final List<Consumer<NodeEvent>> subscribers = new CopyOnWriteArrayList<>();

  /** Adds a subscriber; returns a handle that removes it. */
  public AutoCloseable subscribe(Consumer<NodeEvent> subscriber) {
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  public void publish(NodeEvent event) {
    for (Consumer<NodeEvent> s : subscribers) {
      try {
        s.accept(event);
      } catch (RuntimeException e) {
        log.warn("node event subscriber failed on {} of {}", event.kind(), event.node().name(), e);
      }
    }
  }
}
