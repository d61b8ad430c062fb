package dev.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anvil.config.EventsConfig;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.node.NodeState;
import dev.anvil.http.EventSink;
import dev.anvil.store.TaskStore;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The event streams without a socket: sinks that record what they are sent and report a backlog the test sets.
 * The caps (streams, backlog), the messages (hello, node, task, network, heartbeat) and the close.
 */
class EventStreamsTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    final AtomicLong version = new AtomicLong(7);
    final AtomicReference<List<TaskStore.Task>> latestTasks = new AtomicReference<>(List.of());

    /** Records what it is sent; {@link #pending} is what the test says is still queued. */
    static final class RecordingSink implements EventSink {
        final List<String> sent = new ArrayList<>();
        final List<Runnable> onClose = new ArrayList<>();
        int pending;
        boolean open = true;

        @Override
        public synchronized boolean send(String text) {
            if (!open) {
                return false;
            }
            sent.add(text);
            return true;
        }

        @Override
        public int pending() {
            return pending;
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                onClose.forEach(Runnable::run);
            }
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void onClose(Runnable action) {
            if (open) {
                onClose.add(action);
            } else {
                action.run();
            }
        }
    }

    EventStreams streams(int maxStreams, int maxBacklog) {
        return new EventStreams(
                new EventsConfig(maxStreams, maxBacklog, Duration.ofSeconds(15)),
                new Json(),
                n -> Map.of("name", n.name(), "state", n.state().wireName()),
                latestTasks::get,
                t -> Map.of("id", t.id(), "state", t.state().name()),
                version::get);
    }

    /** A stream as the route opens it: a slot taken, then the sink handed over. */
    static RecordingSink open(EventStreams s) {
        RecordingSink sink = new RecordingSink();
        s.stream().opener().open(sink);
        return sink;
    }

    static Node node(String name, NodeState state) {
        return new Node(
                3,
                name,
                List.of(MacAddress.parse("52:54:00:00:00:03")),
                List.of(),
                "sledgehammer",
                Optional.empty(),
                false,
                true,
                state,
                T0,
                T0);
    }

    static TaskStore.Task task(long id, TaskStore.TaskState state, int attempts) {
        return new TaskStore.Task(
                id,
                3,
                "reboot",
                "",
                state,
                attempts,
                3,
                T0,
                T0,
                Optional.empty(),
                Optional.empty(),
                "",
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** The fields of one SSE message. */
    record Message(String id, String event, JsonNode data) {
        static Message parse(String text) throws Exception {
            assertTrue(text.endsWith("\n\n"), "a message ends with a blank line: " + text);
            String id = null;
            String event = null;
            JsonNode data = null;
            for (String line : text.strip().split("\n")) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = JSON.readTree(line.substring(6));
                }
            }
            return new Message(id, event, data);
        }
    }

    @Test
    void aStreamStartsWithHelloThenGetsEachNodeChangeWithItsVersion() throws Exception {
        EventStreams s = streams(4, 16);
        RecordingSink sink = open(s);
        assertEquals(1, sink.sent.size());
        assertTrue(sink.sent.get(0).startsWith("retry: 5000\n"), sink.sent.get(0));
        Message hello = Message.parse(sink.sent.get(0).substring("retry: 5000\n".length()));
        assertEquals(new Message("7", "hello", JSON.readTree("{\"version\":7,\"heartbeatSeconds\":15}")), hello);

        Node before = node("n1.test", NodeState.DISCOVERED);
        s.accept(new NodeEvent(8, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(before)));
        Node renamed = node("n2.test", NodeState.FAILED);
        s.accept(new NodeEvent(9, NodeEvent.Kind.UPDATED, Optional.of(before), Optional.of(renamed)));
        s.accept(new NodeEvent(10, NodeEvent.Kind.DELETED, Optional.of(renamed), Optional.empty()));

        assertEquals(4, sink.sent.size());
        assertEquals(
                new Message(
                        "8",
                        "node",
                        JSON.readTree("{\"kind\":\"created\","
                                + "\"node\":{\"name\":\"n1.test\",\"state\":\"discovered\"}}")),
                Message.parse(sink.sent.get(1)));
        Message updated = Message.parse(sink.sent.get(2));
        assertEquals("9", updated.id());
        assertEquals("failed", updated.data().get("node").get("state").asText());
        assertEquals("n1.test", updated.data().get("renamedFrom").asText());
        Message deleted = Message.parse(sink.sent.get(3));
        assertEquals("10", deleted.id());
        assertEquals("deleted", deleted.data().get("kind").asText());
        assertEquals("n2.test", deleted.data().get("node").get("name").asText());
    }

    @Test
    void overMaxStreamsIsA503WithRetryAfterUntilOneCloses() {
        EventStreams s = streams(2, 16);
        RecordingSink a = open(s);
        open(s);
        ApiException.RetryLater e = assertThrows(ApiException.RetryLater.class, s::stream);
        assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, e.status());
        assertEquals(EventStreams.RETRY_SECONDS, e.seconds());
        assertEquals(1L, s.metrics().get("refused"));
        assertEquals(2, s.openStreams());

        a.close(); // the client went away
        assertEquals(1, s.openStreams());
        RecordingSink c = open(s);
        assertTrue(c.isOpen());
        assertEquals(2, s.openStreams());
        assertThrows(ApiException.RetryLater.class, s::stream);
        assertEquals(2L, s.metrics().get("refused"));
    }

    @Test
    void aReaderThatFallsMaxBacklogBehindIsClosedAndCountedTheOthersGoOn() throws Exception {
        EventStreams s = streams(4, 3);
        RecordingSink slow = open(s);
        RecordingSink fast = open(s);
        slow.pending = 2;
        s.accept(new NodeEvent(8, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(node("a", NodeState.READY))));
        assertTrue(slow.isOpen(), "below the cap it still gets events");
        assertEquals(2, slow.sent.size());

        slow.pending = 3;
        s.accept(new NodeEvent(9, NodeEvent.Kind.CREATED, Optional.empty(), Optional.of(node("b", NodeState.READY))));
        assertFalse(slow.isOpen());
        assertEquals(2, slow.sent.size(), "nothing more is queued for it");
        assertEquals(1L, s.metrics().get("slowReaders"));
        assertEquals(1, s.openStreams());
        assertEquals(3, fast.sent.size());
        assertEquals("9", Message.parse(fast.sent.get(2)).id());

        open(s); // its slot is free again
        assertEquals(2, s.openStreams());
    }

    @Test
    void heartbeatIsACommentLineToEveryOpenStream() {
        EventStreams s = streams(4, 16);
        RecordingSink a = open(s);
        RecordingSink b = open(s);
        b.close();
        s.heartbeat();
        assertEquals(": heartbeat\n\n", a.sent.get(1));
        assertEquals(1, b.sent.size());
    }

    @Test
    void closeEndsEveryStreamAndRefusesNewOnes() {
        EventStreams s = streams(4, 16);
        s.start();
        RecordingSink a = open(s);
        RecordingSink b = open(s);
        s.close();
        assertFalse(a.isOpen());
        assertFalse(b.isOpen());
        assertEquals(0, s.openStreams());
        ApiException.RetryLater e = assertThrows(ApiException.RetryLater.class, s::stream);
        assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, e.status());
        s.heartbeat(); // nothing to send to, nothing thrown
        s.close(); // twice is fine
    }

    @Test
    void taskChangesAreSentAfterTheFirstLookAndOnlyWhenTheyChange() throws Exception {
        EventStreams s = streams(4, 16);
        latestTasks.set(List.of(task(1, TaskStore.TaskState.QUEUED, 0)));
        s.pollTasks(); // no stream: nothing read into the baseline
        RecordingSink sink = open(s);
        s.pollTasks(); // the baseline
        assertEquals(1, sink.sent.size());
        s.pollTasks();
        assertEquals(1, sink.sent.size(), "unchanged: nothing sent");

        latestTasks.set(List.of(task(2, TaskStore.TaskState.QUEUED, 0), task(1, TaskStore.TaskState.RUNNING, 1)));
        s.pollTasks();
        assertEquals(3, sink.sent.size());
        Message first = Message.parse(sink.sent.get(1));
        Message second = Message.parse(sink.sent.get(2));
        assertEquals("task", first.event());
        assertEquals(2, first.data().get("id").asLong());
        assertEquals(1, second.data().get("id").asLong());
        assertEquals("RUNNING", second.data().get("state").asText());
        assertEquals("7", second.id());
    }

    @Test
    void aNetworkChangeTellsTheStreams() throws Exception {
        EventStreams s = streams(4, 16);
        RecordingSink sink = open(s);
        version.set(12);
        s.networkChanged();
        Message m = Message.parse(sink.sent.get(1));
        assertEquals("network", m.event());
        assertEquals("12", m.id());
    }
}
