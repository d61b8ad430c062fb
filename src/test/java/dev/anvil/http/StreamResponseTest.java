package dev.anvil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.ApiConfig;
import dev.anvil.config.EventsConfig;
import dev.anvil.config.HostPort;
import dev.anvil.config.HttpLimits;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A {@link StreamResponse} through the admin listener's real connection handlers on an embedded channel: the
 * head says chunked and {@code Connection: close}, each send is a chunk, closing ends the body and the connection;
 * a HEAD request gets the head alone and never reaches the opener.
 */
class StreamResponseTest {
    final AtomicReference<EventSink> opened = new AtomicReference<>();
    final HttpService service = new HttpService(
            new ApiConfig(new HostPort("127.0.0.1", 0), Optional.empty(), HttpLimits.API, EventsConfig.defaults()),
            (req, remote) -> new StreamResponse("text/event-stream", opened::set),
            Optional.empty());

    /** A connection that sent {@code method} for the stream. */
    HttpFuzzTest.Connection request(String method) {
        HttpFuzzTest.Connection ch = new HttpFuzzTest.Connection();
        service.addHttpHandlers(ch.pipeline(), null);
        ch.writeInbound(Unpooled.copiedBuffer(
                method + " /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
        return ch;
    }

    static String out(HttpFuzzTest.Connection ch) throws Exception {
        ch.runPendingTasks();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpFuzzTest.drain(ch, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachSendIsAChunkAndCloseEndsTheBodyAndTheConnection() throws Exception {
        HttpFuzzTest.Connection ch = request("GET");
        String head = out(ch);
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
        assertTrue(head.contains("transfer-encoding: chunked\r\n"), head);
        assertTrue(head.contains("connection: close\r\n"), head);
        assertTrue(head.contains("content-type: text/event-stream\r\n"), head);
        EventSink sink = opened.get();
        assertTrue(sink.isOpen());

        assertTrue(sink.send("data: é\n\n"));
        assertEquals("a\r\ndata: é\n\n\r\n", out(ch), "one chunk of 10 bytes (é is two)");
        assertEquals(0, sink.pending(), "written");

        sink.close();
        assertEquals("0\r\n\r\n", out(ch));
        assertFalse(ch.isOpen());
        assertFalse(sink.isOpen());
        assertFalse(sink.send("data: late\n\n"));
        ch.finishAndReleaseAll();
    }

    @Test
    void theClientGoingAwayClosesTheStream() throws Exception {
        HttpFuzzTest.Connection ch = request("GET");
        out(ch);
        AtomicReference<Boolean> closed = new AtomicReference<>(false);
        opened.get().onClose(() -> closed.set(true));
        ch.close();
        ch.runPendingTasks();
        assertTrue(closed.get());
        assertFalse(opened.get().isOpen());
        ch.finishAndReleaseAll();
    }

    @Test
    void aHeadRequestGetsTheHeadAloneAndNoStream() throws Exception {
        HttpFuzzTest.Connection ch = request("HEAD");
        String all = out(ch);
        assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
        assertNull(opened.get());
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();
    }
}
