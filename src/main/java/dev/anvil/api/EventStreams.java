package dev.anvil.api;

import dev.anvil.config.EventsConfig;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.http.EventSink;
import dev.anvil.http.StreamResponse;
import dev.anvil.lifecycle.LogThrottle;
import dev.anvil.lifecycle.Meters;
import dev.anvil.lifecycle.Service;
import dev.anvil.store.TaskStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/events}: the admin listener's changes as server-sent events (doc/api.md#events), what the
 * dashboard updates itself from. Each stream starts with {@code hello} (the node version it starts at), then gets
 * {@code node} for every committed node change (in version order, as {@link dev.anvil.core.node.NodeEvents}
 * delivers them), {@code network} when a network was created or deleted, {@code task} when one of the latest
 * tasks changed (state, attempts, progress: the task store is looked at once a second while a stream is open),
 * and a comment line every {@code heartbeat}. Every event's {@code id} is the node version it was sent at.
 *
 * <p>Bounded: at most {@code maxStreams} streams (one more: 503 with {@code Retry-After}, counted, logged at most
 * once per 10 s); a stream whose client lets more than {@code maxBacklog} events queue up is closed and counted.
 * {@link #close()} ends every stream (their connections close).
 *
 * <p>Size: over 300 lines because it is one service with three sources (node events, network changes, the task
 * poll), the stream cap and backlog bound they share, and its meters; the wire format is in {@code http}.
 */
public final class EventStreams implements Service, MeterBinder, Consumer<NodeEvent> {
    private static final Logger log = LoggerFactory.getLogger(EventStreams.class);
    static final String PATH = "/api/v1/events";
    static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";
    /** How many of the latest tasks are watched for changes. */
    public static final int WATCHED_TASKS = 50;
    /** How often they are looked at while a stream is open. */
    static final Duration TASK_POLL = Duration.ofSeconds(1);
    /** What a client waits before reconnecting ({@code retry:}), and the 503's {@code Retry-After}. */
    static final int RETRY_SECONDS = 5;

    private final EventsConfig config;
    private final Json json;
    private final Function<Node, Object> nodeView;
    private final Supplier<List<TaskStore.Task>> latestTasks;
    private final Function<TaskStore.Task, Object> taskView;
    private final LongSupplier version;
    private final Set<EventSink> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger slots = new AtomicInteger();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong slowReaders = new AtomicLong();
    private final LogThrottle refusals = new LogThrottle(Duration.ofSeconds(10));
    private final LogThrottle slow = new LogThrottle(Duration.ofSeconds(10));
    private Map<Long, String> taskSeen = Map.of(); // only the poller's thread
    private volatile State state = State.NEW;
    private ScheduledExecutorService timer;

    /**
     * @param nodeView a node as the API shows it
     * @param latestTasks the newest tasks, newest first (at most {@link #WATCHED_TASKS} are read)
     * @param taskView a task as the API shows it
     * @param version the last committed node version
     */
    public EventStreams(
            EventsConfig config,
            Json json,
            Function<Node, Object> nodeView,
            Supplier<List<TaskStore.Task>> latestTasks,
            Function<TaskStore.Task, Object> taskView,
            LongSupplier version) {
        this.config = config;
        this.json = json;
        this.nodeView = nodeView;
        this.latestTasks = latestTasks;
        this.taskView = taskView;
        this.version = version;
    }

    public void register(Router r) {
        r.add(
                HttpMethod.GET,
                PATH,
                req -> req.method().equals(HttpMethod.HEAD)
                        ? ApiResponse.text("", CONTENT_TYPE) // no stream (and no slot) for a HEAD
                        : new ApiResponse(HttpResponseStatus.OK, stream()));
    }

    /** A slot for one more stream and the response that opens it; 503 when every slot is taken or stopping. */
    StreamResponse stream() {
        if (state != State.RUNNING && state != State.NEW) {
            throw new ApiException.RetryLater(
                    HttpResponseStatus.SERVICE_UNAVAILABLE, "the event streams are stopping", RETRY_SECONDS);
        }
        if (slots.incrementAndGet() > config.maxStreams()) {
            slots.decrementAndGet();
            refused.incrementAndGet();
            warn(refusals, "event stream refused: {} open, the most api.events.maxStreams allows", config.maxStreams());
            throw new ApiException.RetryLater(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "too many event streams open (api.events.maxStreams " + config.maxStreams() + ")",
                    RETRY_SECONDS);
        }
        return new StreamResponse(CONTENT_TYPE, this::open);
    }

    /** Takes a stream whose slot {@link #stream()} reserved; it gets {@code hello} first. */
    void open(EventSink sink) {
        sink.onClose(() -> {
            if (streams.remove(sink)) {
                slots.decrementAndGet();
            }
        });
        streams.add(sink);
        opened.incrementAndGet();
        if (!sink.isOpen() && streams.remove(sink)) { // closed before onClose could see it in the set
            slots.decrementAndGet();
            return;
        }
        long v = version.getAsLong();
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("version", v);
        hello.put("heartbeatSeconds", config.heartbeat().toSeconds());
        deliver(sink, "retry: " + RETRY_SECONDS * 1000 + "\n" + message(v, "hello", hello));
        if (state == State.STOPPING || state == State.STOPPED) {
            sink.close();
        }
    }

    /** A committed node change, to every stream. */
    @Override
    public void accept(NodeEvent e) {
        if (streams.isEmpty()) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kind", e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        data.put("node", nodeView.apply(e.node()));
        if (e.before().isPresent()
                && e.after().isPresent()
                && !e.before().get().name().equals(e.after().get().name())) {
            data.put("renamedFrom", e.before().get().name());
        }
        publish(message(e.version(), "node", data));
    }

    /** A network was created or deleted (clients read the networks again). */
    public void networkChanged() {
        if (!streams.isEmpty()) {
            publish(message(version.getAsLong(), "network", Map.of("changed", true)));
        }
    }

    /**
     * Looks at the latest tasks and sends each one that is new or changed since the last look. The first look
     * after the streams were all closed only notes what there is (a client reads the task list when it connects).
     */
    void pollTasks() {
        if (streams.isEmpty()) {
            taskSeen = Map.of();
            return;
        }
        boolean baseline = taskSeen.isEmpty();
        Map<Long, String> now = new HashMap<>();
        List<TaskStore.Task> latest = latestTasks.get();
        for (TaskStore.Task t : latest.subList(0, Math.min(WATCHED_TASKS, latest.size()))) {
            String mark = t.state() + "/" + t.attempts() + "/"
                    + t.progress().map(Object::toString).orElse("") + "/" + t.notBefore();
            now.put(t.id(), mark);
            if (!baseline && !mark.equals(taskSeen.get(t.id()))) {
                publish(message(version.getAsLong(), "task", taskView.apply(t)));
            }
        }
        taskSeen = now.isEmpty() ? Map.of(-1L, "") : now; // not empty: the next look is no baseline
    }

    /** A comment line to every stream (keeps idle connections and proxies from timing out). */
    void heartbeat() {
        publish(": heartbeat\n\n");
    }

    /** Streams open now. */
    public int openStreams() {
        return streams.size();
    }

    private String message(long id, String event, Object data) {
        return "id: " + id + "\nevent: " + event + "\ndata: " + new String(json.write(data), StandardCharsets.UTF_8)
                + "\n\n";
    }

    private void publish(String text) {
        for (EventSink s : streams) {
            deliver(s, text);
        }
    }

    /** Sends to one stream, or closes it when its client has let {@code maxBacklog} events queue up. */
    private void deliver(EventSink s, String text) {
        if (s.pending() >= config.maxBacklog()) {
            if (streams.remove(s)) {
                slots.decrementAndGet();
                slowReaders.incrementAndGet();
                warn(
                        slow,
                        "event stream closed: its client fell {} events behind (api.events.maxBacklog)",
                        config.maxBacklog());
            }
            s.close();
            return;
        }
        s.send(text);
    }

    /** One warning line per 10 s for {@code throttle}'s cause, saying how many were kept quiet. */
    private static void warn(LogThrottle throttle, String message, int limit) {
        long quiet = throttle.permit(System.nanoTime());
        if (quiet >= 0) {
            log.warn(message + " ({} more since the last line)", limit, quiet);
        }
    }

    @Override
    public String name() {
        return "events";
    }

    @Override
    public synchronized void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "anvil-events");
            t.setDaemon(true);
            return t;
        });
        long beat = config.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(guarded(this::heartbeat), beat, beat, TimeUnit.MILLISECONDS);
        long poll = TASK_POLL.toMillis();
        timer.scheduleWithFixedDelay(guarded(this::pollTasks), poll, poll, TimeUnit.MILLISECONDS);
        state = State.RUNNING;
    }

    private static Runnable guarded(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("event streams: {}", e.toString());
            }
        };
    }

    @Override
    public State state() {
        return state;
    }

    /** Ends every stream; new ones are refused from now on. */
    @Override
    public synchronized void close() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.STOPPING;
        if (timer != null) {
            timer.shutdownNow();
        }
        for (EventSink s : List.copyOf(streams)) {
            s.close();
        }
        state = State.STOPPED;
    }

    @Override
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("open", streams.size());
        m.put("opened", opened.get());
        m.put("refused", refused.get());
        m.put("slowReaders", slowReaders.get());
        return m;
    }

    /**
     * {@code anvil_events_streams} (open now), {@code anvil_events_refused_total} (over maxStreams) and
     * {@code anvil_events_slow_readers_total} (closed over maxBacklog).
     */
    @Override
    public void bindTo(MeterRegistry r) {
        Meters.gauge(r, "anvil.events.streams", "event streams open now", streams, Set::size);
        Meters.count(
                r,
                "anvil.events.refused",
                "event streams refused over api.events.maxStreams",
                refused,
                AtomicLong::get);
        Meters.count(
                r,
                "anvil.events.slow.readers",
                "event streams closed because their client fell api.events.maxBacklog events behind",
                slowReaders,
                AtomicLong::get);
    }
}
