package dev.anvil.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.anvil.config.HostPort;
import dev.anvil.config.HttpConfig;
import dev.anvil.fuzz.FuzzFixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Untrusted bytes on the boot listener's TCP connection, through the real handlers of a connection
 * ({@link HttpService#addHttpHandlers}: netty's request decoder, keep-alive, {@link FileHandler} with its
 * {@link FileMount} jail, {@link Ranges} and validators, the generated boot configs, the aggregator and the
 * dispatch) on an embedded channel. Allowed: answers with a status of {@link #ALLOWED} (no 500), no exception
 * out of the pipeline, and no byte of the file outside the root (reached through a symlink in it). Seeds:
 * the requests curl, iPXE and an installer send, in {@code HttpFuzzTestInputs}.
 */
class HttpFuzzTest {
    static final Path ROOT = FuzzFixtures.servedTree();
    static final Set<Integer> ALLOWED =
            Set.of(100, 200, 206, 301, 304, 400, 403, 404, 405, 408, 413, 414, 416, 417, 431);
    static final Pattern STATUS = Pattern.compile("(?:^|\r\n)HTTP/1\\.1 (\\d{3}) ");
    final HttpService service = new HttpService(
            new HttpConfig(
                    new HostPort("127.0.0.1", 0), Optional.empty(), true, dev.anvil.config.HttpLimits.BOOT, List.of()),
            (req, remote) -> Responses.error(HttpResponseStatus.NOT_FOUND, "no route " + req.uri(), null),
            List.of(
                    new FileMount("/install/", ROOT, Optional.empty(), true),
                    new FileMount("/boot/", ROOT, Optional.of(FuzzFixtures.bootConfigs()), true)));

    /** An embedded channel whose peer is a boot client at 10.10.0.150, as a socket would say. */
    static final class Connection extends EmbeddedChannel {
        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("10.10.0.150", 40000);
        }
    }

    @FuzzTest(maxDuration = "5s")
    void connection(byte[] bytes) throws IOException {
        Connection ch = new Connection();
        service.addHttpHandlers(ch.pipeline(), null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
            ch.runPendingTasks();
            ch.checkException();
        } finally {
            drain(ch, out);
            ch.finishAndReleaseAll();
        }
        String text = out.toString(StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("outside the root"), "a file outside the root was served");
        Matcher m = STATUS.matcher(text);
        while (m.find()) {
            int status = Integer.parseInt(m.group(1));
            assertTrue(ALLOWED.contains(status), "answered " + status + ":\n" + text);
        }
    }

    /** Everything written to the client, files included. */
    static void drain(EmbeddedChannel ch, ByteArrayOutputStream out) throws IOException {
        WritableByteChannel sink = Channels.newChannel(out);
        for (Object o; (o = ch.readOutbound()) != null; ) {
            try {
                if (o instanceof ByteBuf b) {
                    b.readBytes(out, b.readableBytes());
                } else if (o instanceof FileRegion r) {
                    while (r.transferred() < r.count()) {
                        if (r.transferTo(sink, r.transferred()) <= 0) {
                            break;
                        }
                    }
                }
            } finally {
                io.netty.util.ReferenceCountUtil.release(o);
            }
        }
    }
}
