package dev.anvil.http;

import dev.anvil.core.boot.BootClient;
import dev.anvil.core.net.Ipv4Address;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.epoll.EpollSocketChannelConfig;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Serves files under the configured mounts straight from the event loop: GET and HEAD, single and multiple
 * byte ranges (206, multipart/byteranges, 416), ETag and Last-Modified validators with conditional
 * requests (304, If-Range), keep-alive, and zero-copy {@code sendfile} through {@link DefaultFileRegion}.
 * A directory's URL (ending in {@code /}) serves its {@code index.html} when it has one, else a listing where
 * the mount allows it (403 where not). Requests for other paths, and for the segments the routes own
 * ({@link Mounts}), go on down the pipeline to the API. One instance per connection.
 *
 * <p>Size: over 300 lines because GET/HEAD with ranges, validators, sendfile and generated files share one response
 * path.
 */
public final class FileHandler extends ChannelInboundHandlerAdapter {
    /** Files up to this size are read and sent with their headers in one write instead of by sendfile. */
    static final long SMALL_FILE = 64 * 1024;
    /** What a directory's URL serves when the directory holds it. */
    static final String INDEX = "index.html";

    private final Mounts mounts;
    private final FileCounters counters;
    /** This connection's responses for the boot timeline. */
    private final FileTimeline timeline;
    /** True while the body parts of a request this handler answered are still arriving. */
    private boolean swallowing;
    /** When the request in hand arrived (System.nanoTime): its answer's time starts there. */
    private long requestAt;
    /** Whether a message went on to the handlers after this one since the last read completed. */
    private boolean passedOn;

    public FileHandler(Mounts mounts, FileCounters counters, dev.anvil.core.timeline.Timeline timeline) {
        this.mounts = mounts;
        this.counters = counters;
        this.timeline = new FileTimeline(timeline);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        timeline.closed(ctx);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req && !req.decoderResult().isFailure()) {
            FileMount mount = mountFor(req.uri());
            if (mount != null) {
                swallowing = !(msg instanceof LastHttpContent);
                try {
                    serve(ctx, req, mount);
                } finally {
                    ReferenceCountUtil.release(msg);
                }
                return;
            }
        } else if (msg instanceof HttpContent c && swallowing) {
            swallowing = !(c instanceof LastHttpContent);
            c.release();
            return;
        }
        passedOn = true;
        ctx.fireChannelRead(msg);
    }

    /**
     * Passed on only after a read that passed a message on: the dispatch handler behind runs on another executor,
     * and telling it of every read this handler answered alone cost two thread hand-offs per file request.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (passedOn) {
            passedOn = false;
            ctx.fireChannelReadComplete();
        }
    }

    private FileMount mountFor(String uri) {
        int q = uri.indexOf('?');
        String raw = q < 0 ? uri : uri.substring(0, q);
        return mounts.find(raw);
    }

    private void serve(ChannelHandlerContext ctx, HttpRequest req, FileMount mount) {
        counters.requests.increment();
        requestAt = System.nanoTime();
        boolean head = req.method().equals(HttpMethod.HEAD);
        if (!head && !req.method().equals(HttpMethod.GET)) {
            FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, req.method() + " is not allowed here");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            finish(ctx, req, r, head);
            return;
        }
        String path;
        try {
            path = new QueryStringDecoder(req.uri()).path();
        } catch (IllegalArgumentException e) {
            finish(ctx, req, error(HttpResponseStatus.BAD_REQUEST, "malformed request URI"), head);
            return;
        }
        if (req.uri().indexOf('\\') >= 0) {
            finish(ctx, req, forbidden("backslash in path"), head);
            return;
        }
        if (mount.generated().isPresent()) {
            String rel = path.length() <= mount.prefix().length()
                    ? ""
                    : path.substring(mount.prefix().length());
            Optional<byte[]> g = rel.isEmpty() || rel.indexOf('\0') >= 0 || rel.contains("..")
                    ? Optional.empty()
                    : mount.generated().get().render(rel, client(ctx));
            if (g.isPresent()) {
                counters.generated.increment();
                FullHttpResponse r = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(g.get()));
                r.headers()
                        .set(
                                HttpHeaderNames.CONTENT_TYPE,
                                ContentTypes.of(rel).startsWith("application/octet")
                                        ? "text/plain; charset=utf-8"
                                        : ContentTypes.of(rel));
                r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, g.get().length);
                r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                finish(ctx, req, r, head);
                return;
            }
        }
        FileMount.Resolution res = mount.resolve(path);
        if (res instanceof FileMount.Directory
                && path.endsWith("/")
                && mount.resolve(path + INDEX) instanceof FileMount.RegularFile index) {
            res = index; // as nginx's default "index index.html"
        }
        if (res instanceof FileMount.Forbidden f) {
            finish(ctx, req, forbidden(f.reason()), head);
        } else if (res instanceof FileMount.Directory d) {
            directory(ctx, req, d, path, head, mount.listDirectories());
        } else if (res instanceof FileMount.RegularFile f) {
            file(ctx, req, f, head);
        } else {
            counters.notFound.increment();
            finish(ctx, req, error(HttpResponseStatus.NOT_FOUND, "no such file: " + path), head);
        }
    }

    private void directory(
            ChannelHandlerContext ctx,
            HttpRequest req,
            FileMount.Directory d,
            String path,
            boolean head,
            boolean listDirectories) {
        if (!listDirectories) {
            finish(ctx, req, forbidden("directory listing is off"), head);
            return;
        }
        if (!path.endsWith("/")) {
            FullHttpResponse r = Responses.empty(HttpResponseStatus.MOVED_PERMANENTLY);
            r.headers().set(HttpHeaderNames.LOCATION, new QueryStringDecoder(req.uri()).rawPath() + "/");
            finish(ctx, req, r, head);
            return;
        }
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><title>Index of ")
                .append(html(path))
                .append("</title></head><body><h1>Index of ")
                .append(html(path))
                .append("</h1><pre>\n");
        if (!d.relative().isEmpty()) {
            sb.append("<a href=\"../\">../</a>\n");
        }
        try (Stream<Path> s = Files.list(d.path())) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString() + (Files.isDirectory(p) ? "/" : "");
                sb.append("<a href=\"")
                        .append(html(urlEncode(name)))
                        .append("\">")
                        .append(html(name))
                        .append("</a>\n");
            }
        } catch (IOException e) {
            finish(ctx, req, error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot list the directory"), head);
            return;
        }
        sb.append("</pre></body></html>\n");
        finish(
                ctx,
                req,
                Responses.bytes(
                        HttpResponseStatus.OK,
                        sb.toString().getBytes(StandardCharsets.UTF_8),
                        "text/html; charset=utf-8"),
                head);
    }

    private void file(ChannelHandlerContext ctx, HttpRequest req, FileMount.RegularFile f, boolean head) {
        long size = f.attributes().size();
        long mtimeMillis = f.attributes().lastModifiedTime().toMillis();
        String etag = "\"" + Long.toHexString(mtimeMillis / 1000) + "-" + Long.toHexString(size) + "\"";
        String lastModified = DateFormatter.format(new Date(mtimeMillis));
        String type = ContentTypes.of(f.path().getFileName().toString());
        HttpHeaders in = req.headers();

        if (notModified(in, etag, mtimeMillis)) {
            counters.notModified.increment();
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
            r.headers().set(HttpHeaderNames.ETAG, etag).set(HttpHeaderNames.LAST_MODIFIED, lastModified);
            // The length a 200 would have had (RFC 9110 §8.6): lets the keep-alive handler keep the connection.
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, size);
            write(ctx, req, r, List.of(), true);
            return;
        }

        Ranges.Result ranges = new Ranges.Ignore();
        String range = in.get(HttpHeaderNames.RANGE);
        if (range != null && ifRangeHolds(in.get(HttpHeaderNames.IF_RANGE), etag, lastModified)) {
            ranges = Ranges.parse(range, size);
        }
        if (ranges instanceof Ranges.Unsatisfiable) {
            counters.unsatisfiable.increment();
            FullHttpResponse r = error(
                    HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    "range not satisfiable: " + range + " for " + size + " bytes");
            r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
            finish(ctx, req, r, head);
            return;
        }

        java.io.File file = f.path().toFile();
        if (ranges instanceof Ranges.Ignore && size <= SMALL_FILE && !head) {
            // Small files go out with their headers in one write: read now, no sendfile round.
            ByteBuf content = ctx.alloc().ioBuffer((int) Math.max(size, 1));
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f.path())) {
                while (content.writerIndex() < size) {
                    if (content.writeBytes(ch, content.writerIndex(), (int) (size - content.writerIndex())) < 0) {
                        break;
                    }
                }
            } catch (IOException e) {
                content.release();
                finish(ctx, req, forbidden("not readable"), head);
                return;
            }
            if (content.readableBytes() != size) {
                content.release();
                finish(ctx, req, error(HttpResponseStatus.SERVICE_UNAVAILABLE, "file changed while read"), head);
                return;
            }
            FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
            full.headers().set(HttpHeaderNames.CONTENT_TYPE, type).set(HttpHeaderNames.CONTENT_LENGTH, size);
            validators(full.headers(), etag, lastModified);
            counters.bytes.add(size);
            write(ctx, req, full, List.of(), false);
            return;
        }
        if (!Files.isReadable(f.path())) {
            finish(ctx, req, forbidden("not readable"), head);
            return;
        }
        HttpResponse r;
        List<Object> body = new ArrayList<>();
        if (ranges instanceof Ranges.Satisfiable s && s.ranges().size() == 1) {
            Ranges.ByteRange b = s.ranges().get(0);
            r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PARTIAL_CONTENT);
            r.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, type)
                    .set(HttpHeaderNames.CONTENT_RANGE, "bytes " + b.first() + "-" + b.last() + "/" + size)
                    .set(HttpHeaderNames.CONTENT_LENGTH, b.length());
            body.add(new DefaultFileRegion(file, b.first(), b.length()));
            counters.partial.increment();
            counters.bytes.add(head ? 0 : b.length());
        } else if (ranges instanceof Ranges.Satisfiable s) {
            String boundary = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
            long total = 0;
            boolean first = true;
            for (Ranges.ByteRange b : s.ranges()) {
                byte[] part = ((first ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: " + type
                                + "\r\nContent-Range: bytes " + b.first() + "-" + b.last() + "/" + size + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                first = false;
                body.add(new DefaultHttpContent(Unpooled.wrappedBuffer(part)));
                body.add(new DefaultFileRegion(file, b.first(), b.length()));
                total += part.length + b.length();
            }
            byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
            body.add(new DefaultHttpContent(Unpooled.wrappedBuffer(end)));
            total += end.length;
            r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PARTIAL_CONTENT);
            r.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "multipart/byteranges; boundary=" + boundary)
                    .set(HttpHeaderNames.CONTENT_LENGTH, total);
            counters.partial.increment();
            counters.bytes.add(head ? 0 : total);
        } else {
            r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).set(HttpHeaderNames.CONTENT_LENGTH, size);
            if (size > 0) {
                body.add(new DefaultFileRegion(file, 0, size));
            }
            counters.bytes.add(head ? 0 : size);
        }
        validators(r.headers(), etag, lastModified);
        if (head) {
            body.forEach(ReferenceCountUtil::release);
            body.clear();
        }
        // Each region opens the file when it is sent and closes it when released.
        write(ctx, req, r, body, true);
    }

    /** The headers every file answer with a body (or its HEAD) carries: its validators and range support. */
    private static void validators(HttpHeaders h, String etag, String lastModified) {
        h.set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.LAST_MODIFIED, lastModified)
                .set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
    }

    /** RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since. */
    static boolean notModified(HttpHeaders in, String etag, long mtimeMillis) {
        String inm = in.get(HttpHeaderNames.IF_NONE_MATCH);
        if (inm != null) {
            for (String t : inm.split(",")) {
                String tag = t.strip();
                if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                    return true;
                }
            }
            return false;
        }
        String ims = in.get(HttpHeaderNames.IF_MODIFIED_SINCE);
        if (ims != null) {
            Date d = DateFormatter.parseHttpDate(ims);
            return d != null && mtimeMillis / 1000 <= d.getTime() / 1000;
        }
        return false;
    }

    /** If-Range: the range applies only when the validator still matches (strong ETag or exact date). */
    static boolean ifRangeHolds(String ifRange, String etag, String lastModified) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.strip();
        return v.equals(etag) || v.equals(lastModified);
    }

    private static InetSocketAddress remote(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    /**
     * The request's two ends for a generated file: over IPv6, its URLs name the address the connection reached;
     * over IPv4 (a mapped address on a dual-stack socket too) the client's network's server address.
     */
    private static BootClient client(ChannelHandlerContext ctx) {
        InetSocketAddress a = remote(ctx);
        if (a == null || a.getAddress() == null) {
            return BootClient.v4(new Ipv4Address(0));
        }
        Optional<java.net.InetAddress> local = ctx.channel().localAddress() instanceof InetSocketAddress l
                ? Optional.ofNullable(l.getAddress())
                : Optional.empty();
        return new BootClient(a.getAddress(), local);
    }

    private FullHttpResponse forbidden(String reason) {
        counters.forbidden.increment();
        return error(HttpResponseStatus.FORBIDDEN, "forbidden: " + reason);
    }

    private static FullHttpResponse error(HttpResponseStatus status, String message) {
        return Responses.error(status, message, null);
    }

    private void finish(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse r, boolean head) {
        if (head) {
            FullHttpResponse h = r.replace(Unpooled.EMPTY_BUFFER);
            r.release();
            r = h;
        }
        write(ctx, req, r, List.of(), false);
    }

    /**
     * {@code Content-Length} as RFC 9110 spells it. Header names are case-insensitive, but GRUB 2.06's {@code http}
     * module (the GRUB that UEFI HTTP boot loads on arm64, doc/firmware-matrix.md) finds a body's length only under
     * exactly {@code "Content-Length: "}; without it GRUB reads on until the server closes the connection, about 33 s
     * per file on a kept-alive one.
     */
    static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");

    /** Writes the head, the body parts and the end of the message; closes after it unless keep-alive. */
    private void write(
            ChannelHandlerContext ctx, HttpRequest req, HttpResponse r, List<Object> body, boolean needsLast) {
        String length = r.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null) {
            r.headers().remove(HttpHeaderNames.CONTENT_LENGTH).set(CONTENT_LENGTH, length);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(r, keepAlive);
        int status = r.status().code();
        long bytes = r instanceof FullHttpResponse full
                ? full.content().readableBytes()
                : body.isEmpty() ? 0 : HttpUtil.getContentLength(r, 0L); // before the write releases it
        timeline.answered(ctx, req, status, bytes);
        io.netty.channel.ChannelFuture f;
        if (needsLast) {
            // As nginx's tcp_nopush: corked while the head and the file go out, so the kernel sends only full
            // segments (the head rides in the first one); uncorked at the end to push the last partial one.
            boolean cork = !body.isEmpty() && cork(ctx, true);
            ctx.write(r);
            for (Object part : body) {
                ctx.write(part);
            }
            f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (cork) {
                f.addListener(done -> cork(ctx, false));
            }
        } else {
            f = ctx.writeAndFlush(r);
        }
        if (counters.timed()) {
            long at = requestAt;
            f.addListener(done -> counters.answered(status, System.nanoTime() - at, bytes));
        }
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Sets TCP_CORK where the transport has it (epoll); false when it could not be set. */
    private static boolean cork(ChannelHandlerContext ctx, boolean on) {
        if (!(ctx.channel().config() instanceof EpollSocketChannelConfig c)
                || !ctx.channel().isOpen()) {
            return false;
        }
        try {
            c.setTcpCork(on);
            return true;
        } catch (io.netty.channel.ChannelException e) {
            return false; // the connection went away meanwhile
        }
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String urlEncode(String name) {
        return java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("%2F", "/");
    }
}
