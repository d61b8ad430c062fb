package dev.anvil.http;

import dev.anvil.core.timeline.Timeline;
import dev.anvil.core.timeline.TimelineEvent.Source;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One connection's file responses for the boot timeline (the node is found from the client's address: its IPv4
 * reservation or lease, or its derived IPv6 address). Every
 * error response is reported, and the first {@link #FIRST} successes of the connection (a boot loader's config,
 * kernel and initrd); an installer then fetching thousands of packages over the same connection would push the
 * boot's own events out of the node's bounded timeline, so its further successes are only counted and reported
 * as one summary when the connection closes. The query string (it may hold a token) is never reported.
 */
final class FileTimeline {
    static final int FIRST = 8;

    private final Timeline timeline;
    private int reported;
    private long more;
    private long moreBytes;

    FileTimeline(Timeline timeline) {
        this.timeline = timeline;
    }

    void answered(ChannelHandlerContext ctx, HttpRequest req, int status, long bytes) {
        if (!timeline.enabled()) {
            return;
        }
        InetAddress client = client(ctx);
        if (client == null) {
            return;
        }
        if (status >= 400 || reported < FIRST) {
            if (status < 400) {
                reported++;
            }
            String uri = req.uri();
            int q = uri.indexOf('?');
            timeline.forClient(
                    client,
                    Source.HTTP,
                    req.method().name() + " " + status,
                    "path=" + (q < 0 ? uri : uri.substring(0, q)) + " bytes=" + bytes);
        } else {
            more++;
            moreBytes += bytes;
        }
    }

    /** The connection closed: the successes not reported one by one, as one event. */
    void closed(ChannelHandlerContext ctx) {
        InetAddress client = client(ctx);
        if (more == 0 || client == null) {
            return;
        }
        timeline.forClient(
                client,
                Source.HTTP,
                "more files",
                more + " more files (" + moreBytes + " bytes) on one connection after its first " + FIRST);
        more = 0;
    }

    private static InetAddress client(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }
}
