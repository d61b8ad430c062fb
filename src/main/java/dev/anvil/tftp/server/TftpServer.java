package dev.anvil.tftp.server;

import dev.anvil.config.TftpConfig;
import dev.anvil.core.boot.BootClient;
import dev.anvil.core.net.ClientAddress;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.core.timeline.Timeline;
import dev.anvil.core.timeline.TimelineEvent.Source;
import dev.anvil.lifecycle.LogThrottle;
import dev.anvil.lifecycle.Service;
import dev.anvil.lifecycle.Transport;
import dev.anvil.tftp.codec.MalformedPacketException;
import dev.anvil.tftp.codec.NetasciiEncoder;
import dev.anvil.tftp.codec.TftpCodec;
import dev.anvil.tftp.codec.TftpPacket;
import dev.anvil.tftp.policy.Admission;
import dev.anvil.tftp.policy.Limits;
import dev.anvil.tftp.policy.Negotiation;
import dev.anvil.tftp.policy.ReadTransfer;
import dev.anvil.tftp.policy.WriteTransfer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TFTP listener: read requests arrive on port 69; each accepted transfer gets its own socket on an
 * ephemeral port (its TID) and runs on one of a few event-loop threads: thousands of transfers, no thread
 * each. At most {@code tftp.maxTransfers} run at once and {@code tftp.maxTransfersPerClient} from one client
 * address ({@link Admission}); a request beyond either gets ERROR 0 and is counted. Write requests are
 * refused (ERROR 2) except into the configured upload directories ({@code tftp.uploadDirs}), where an upload
 * becomes visible only once complete.
 *
 * <p>Size: over 300 lines because the listener, admission and transfer start-up share the one socket's state.
 */
public final class TftpServer implements Service, io.micrometer.core.instrument.binder.MeterBinder {
    private static final Logger log = LoggerFactory.getLogger(TftpServer.class);

    private final TftpConfig cfg;
    private final TftpFiles files;
    private final Limits limits;
    private final TftpCounters counters = new TftpCounters();
    private final Timeline timeline;
    private final LogThrottle errorLog = new LogThrottle(java.time.Duration.ofSeconds(10));
    /** Clients (address and port: their TID) with a transfer running. */
    private final java.util.Set<InetSocketAddress> clients = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Running transfers, in all and per client address. */
    private final Admission<InetAddress> admission;

    private volatile State state = State.NEW;
    private EventLoopGroup group;
    private Channel channel;
    private Transport transport;
    /** Syncs and links completed uploads, off the event loops. */
    private java.util.concurrent.ExecutorService commits;

    /** {@code timeline}: each read transfer's end and each refusal is reported to the boot timeline. */
    public TftpServer(TftpConfig cfg, TftpFiles files, Timeline timeline) {
        this.timeline = timeline;
        this.cfg = cfg;
        this.files = files;
        this.limits =
                new Limits(cfg.maxBlksize(), cfg.maxWindowsize(), cfg.timeout(), cfg.retries(), cfg.maxClientTimeout());
        this.admission = new Admission<>(cfg.maxTransfers(), cfg.maxTransfersPerClient());
        this.spinNanos = cfg.busyPoll().toNanos();
        this.lastPacket.set(System.nanoTime() - spinNanos - 1);
    }

    @Override
    public String name() {
        return "tftp";
    }

    @Override
    public synchronized void start() throws Exception {
        state = State.STARTING;
        transport = Transport.detect();
        commits = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tftp-uploads");
            t.setDaemon(true);
            return t;
        });
        group = spinNanos > 0
                ? transport.group(Transport.cores(), () -> this::selectStrategy)
                : transport.group(Transport.cores());
        try {
            // No SO_REUSEADDR: with it a second daemon could bind the same UDP port and take the first one's requests.
            // Read requests come in bursts when a rack powers on together (1,000 RRQs within milliseconds): the
            // default ~208 KiB receive buffer holds about 270 of them, and a dropped one costs its machine a whole
            // retransmission timeout (bench/bootstorm.sh). The transfers' own sockets keep the default: an ACK
            // never comes in bursts.
            channel = bootstrap(new RequestHandler())
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .bind(cfg.listen().toSocketAddress())
                    .sync()
                    .channel();
        } catch (Exception e) {
            state = State.FAILED;
            Transport.shutdown(group);
            commits.shutdown();
            throw new IllegalStateException(
                    "cannot listen for TFTP on " + cfg.listen() + ": " + Transport.bindFailure(e), e);
        }
        warmUp();
        state = State.RUNNING;
        log.info("tftp listening on {}", cfg.listen());
    }

    /**
     * Optional bounded busy polling ({@code tftp.busyPollMicros}): for that long after the last packet of any
     * transfer, the event loops poll (epoll_wait with no timeout) instead of sleeping. A lock-step transfer is
     * one round trip per block, and a thread woken from sleep adds its wake-up latency to every block. Off by
     * default: in the QEMU lab the spinning loop took the CPU the booting VM needed and made its transfers
     * slower, not faster (doc/firmware-matrix.md).
     */
    private int selectStrategy(io.netty.util.IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (hasTasks || System.nanoTime() - lastPacket.get() < spinNanos) {
            return selectNow.get();
        }
        return io.netty.channel.SelectStrategy.SELECT;
    }

    private final long spinNanos;
    private final java.util.concurrent.atomic.AtomicLong lastPacket = new java.util.concurrent.atomic.AtomicLong();

    private Bootstrap bootstrap(io.netty.channel.ChannelHandler handler) {
        return new Bootstrap()
                .group(group)
                .channel(transport.datagram())
                // One datagram per wake-up: an ACK never comes in bursts, so a second recvmsg would only see EAGAIN.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048).maxMessagesPerRead(1))
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .handler(handler);
    }

    /** Renders each generated file once, so the first booting machine does not wait for templates to compile. */
    private void warmUp() {
        for (String path : java.util.List.of(
                "pxelinux.cfg/default",
                "grub/grub.cfg",
                "boot.ipxe",
                "nodes/02-00-00-00-00-00/boot.ipxe",
                "pxelinux.cfg/01-02-00-00-00-00-00")) {
            files.resolve(path, new Ipv4Address(0)).content().ifPresent(TftpContent::release);
        }
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Map<String, Object> metrics() {
        return counters.snapshot();
    }

    /** The transfer counters and the transfer time and size histograms as {@code anvil_tftp_*}. */
    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        counters.bindTo(registry);
    }

    @Override
    public synchronized void close() {
        if (state == State.NEW || state == State.STOPPED) {
            return;
        }
        state = State.STOPPING;
        if (channel != null) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        Transport.shutdown(group);
        commits.shutdown();
        try {
            commits.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        files.close();
        state = State.STOPPED;
    }

    /** The port-69 socket: decodes requests and starts transfers. */
    private final class RequestHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            counters.requests.increment();
            ByteBuf c = p.content();
            byte[] b = new byte[c.readableBytes()];
            c.getBytes(c.readerIndex(), b);
            try {
                TftpPacket packet = TftpCodec.decode(b);
                if (packet instanceof TftpPacket.Request r) {
                    request(ctx, r, p.sender());
                }
                // Anything else sent to port 69 belongs to no transfer: ignored.
            } catch (MalformedPacketException e) {
                counters.malformed.increment();
            } catch (RuntimeException e) {
                counters.errors.increment();
                long quiet = errorLog.permit(System.nanoTime());
                if (quiet >= 0) {
                    log.warn("tftp: failed on a request from {} ({} more since the last line)", p.sender(), quiet, e);
                }
            }
        }

        private void request(ChannelHandlerContext ctx, TftpPacket.Request r, InetSocketAddress from) {
            String mode = r.mode().toLowerCase(Locale.ROOT);
            if (!mode.equals("octet") && !mode.equals("netascii")) {
                error(ctx, from, TftpPacket.Error.ILLEGAL_OPERATION, "mode " + r.mode() + " is not supported");
                return;
            }
            if (!clients.add(from)) {
                // The client repeated its request (its first answer was slow): the running transfer serves it.
                counters.duplicates.increment();
                return;
            }
            if (!admit(ctx, from)) {
                return;
            }
            counters.active.increment();
            Runnable end = ended(from);
            try {
                BootClient client = bootClient(from);
                if (r.write()) {
                    upload(ctx, r, from, client, mode.equals("netascii"), end);
                } else {
                    read(ctx, r, from, client, mode.equals("netascii"), end);
                }
            } catch (RuntimeException e) {
                end.run(); // whatever went wrong, the slot is not lost
                throw e;
            }
        }

        /** Takes a transfer slot for {@code from}, or answers ERROR 0 and counts the refusal. */
        private boolean admit(ChannelHandlerContext ctx, InetSocketAddress from) {
            Admission.Verdict v = admission.admit(ClientAddress.limitKey(from.getAddress()));
            if (v == Admission.Verdict.ADMIT) {
                return true;
            }
            clients.remove(from);
            String why;
            if (v == Admission.Verdict.PER_CLIENT) {
                counters.refusedPerClient.increment();
                why = "too many transfers from " + ClientAddress.format(from.getAddress()) + " (limit "
                        + admission.maxPerClient() + "), try again later";
            } else {
                counters.refusedBusy.increment();
                why = "server busy (" + admission.maxTotal() + " transfers running), try again later";
            }
            refused(new BootClient(from.getAddress(), Optional.empty()), "request", "", why);
            error(ctx, from, TftpPacket.Error.NOT_DEFINED, why);
            return false;
        }

        /** A read request: the file or generated file, sent from mapped memory; netascii converted block by block. */
        private void read(
                ChannelHandlerContext ctx,
                TftpPacket.Request r,
                InetSocketAddress from,
                BootClient client,
                boolean ascii,
                Runnable end) {
            TftpFiles.Resolution res = files.resolve(r.filename(), client);
            if (res.content().isEmpty()) {
                refused(client, "read", r.filename(), res.error());
                refuse(ctx, from, end, res.errorCode(), res.error());
                return;
            }
            TftpContent content = res.content().get();
            TransferHandler handler;
            try {
                long size = ascii ? NetasciiEncoder.encodedLength(content.nio()) : content.size();
                Negotiation n = Negotiation.of(r, size, limits);
                NetasciiEncoder netascii =
                        ascii ? new NetasciiEncoder(content.nio(), n.blksize(), n.windowsize() + 1) : null;
                handler = new TransferHandler(
                        new ReadTransfer(n, size, cfg.retries()),
                        content,
                        netascii,
                        from,
                        counters,
                        end,
                        () -> lastPacket.lazySet(System.nanoTime()),
                        (result, bytes) -> transferEnded(client, r.filename(), result, bytes, size));
            } catch (RuntimeException e) {
                content.release();
                throw e;
            }
            counters.transfers.increment();
            open(from, handler, content::release, end);
        }

        /** A write request: only into an upload directory, never over an existing file unless allowed. */
        private void upload(
                ChannelHandlerContext ctx,
                TftpPacket.Request r,
                InetSocketAddress from,
                BootClient client,
                boolean netascii,
                Runnable end) {
            TftpFiles.UploadTarget target = files.resolveUpload(r.filename(), client);
            if (target.path().isEmpty()) {
                refused(client, "write", r.filename(), target.error());
                refuse(ctx, from, end, target.errorCode(), target.error());
                return;
            }
            java.nio.file.Path path = target.path().get();
            if (!cfg.uploadOverwrite() && java.nio.file.Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                refuse(ctx, from, end, TftpPacket.Error.FILE_EXISTS, "file already exists");
                return;
            }
            long tsize = r.option("tsize")
                    .filter(v -> v.matches("[0-9]{1,18}"))
                    .map(Long::parseLong)
                    .orElse(-1L);
            if (tsize > cfg.maxUploadBytes()) {
                refuse(
                        ctx,
                        from,
                        end,
                        TftpPacket.Error.DISK_FULL,
                        "file larger than " + cfg.maxUploadBytes() + " bytes");
                return;
            }
            UploadFile file;
            try {
                file = UploadFile.create(path, cfg.uploadOverwrite(), netascii, cfg.maxUploadBytes());
            } catch (java.io.IOException e) {
                log.warn("tftp: cannot create an upload in {}: {}", path.getParent(), e.toString());
                refuse(ctx, from, end, TftpPacket.Error.ACCESS_VIOLATION, "cannot create the file");
                return;
            }
            WriteTransfer t = new WriteTransfer(Negotiation.of(r, tsize, limits), cfg.retries());
            counters.uploads.increment();
            open(from, new UploadHandler(t, file, from, counters, commits, end), file::close, end);
        }

        /**
         * Starts a transfer on its own connected socket: its TID, and only this client's packets reach it. From
         * here the handler ends the transfer; if the socket cannot be opened, {@code release} frees what the
         * transfer held and {@code end} its slot.
         */
        private void open(
                InetSocketAddress from, io.netty.channel.ChannelHandler handler, Runnable release, Runnable end) {
            InetSocketAddress local =
                    new InetSocketAddress(cfg.listen().toSocketAddress().getAddress(), 0);
            bootstrap(handler).connect(from, local).addListener(f -> {
                if (!f.isSuccess()) {
                    counters.failed.increment();
                    release.run();
                    end.run();
                    log.warn(
                            "tftp: cannot open a transfer socket: {}", f.cause().toString());
                }
            });
        }

        /**
         * The request's two ends for rendering: over IPv6, the address the client reached is the listen address when
         * that is a specific one; on a wildcard socket ({@code [::]}) the kernel does not say which address a
         * datagram came to, so it is the source address the kernel picks to answer the client (a connected UDP
         * socket's own address: a route lookup, no packet sent), which for a client on the link is the interface's
         * address in the client's /64.
         */
        private BootClient bootClient(InetSocketAddress from) {
            InetAddress a = from.getAddress();
            if (ClientAddress.ipv6(a).isEmpty()) {
                return new BootClient(a, Optional.empty());
            }
            InetAddress bound = cfg.listen().toSocketAddress().getAddress();
            if (!bound.isAnyLocalAddress()) {
                return new BootClient(a, Optional.of(bound));
            }
            try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
                probe.connect(from);
                return new BootClient(a, Optional.ofNullable(probe.getLocalAddress()));
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                return new BootClient(a, Optional.empty()); // no route back: URLs fall back to the IPv4 server
            }
        }

        /** What ends an admitted transfer, once however often it is called: its slot, its client's TID. */
        private Runnable ended(InetSocketAddress from) {
            java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
            return () -> {
                if (once.compareAndSet(false, true)) {
                    counters.active.decrement();
                    admission.release(ClientAddress.limitKey(from.getAddress()));
                    clients.remove(from);
                }
            };
        }

        /**
         * A refused request, for the boot timeline of the node at {@code client} (its IPv4 reservation or lease, or
         * its derived IPv6 address: see doc/tftp.md).
         */
        private void refused(BootClient client, String op, String file, String why) {
            if (timeline.enabled()) {
                timeline.forClient(client.client(), Source.TFTP, op + " refused", "file=" + file + " error=" + why);
            }
        }

        /** A read transfer's end, for the boot timeline: the file, how it ended, the bytes sent of its size. */
        private void transferEnded(BootClient client, String file, TftpCounters.Result result, long bytes, long size) {
            if (timeline.enabled()) {
                timeline.forClient(
                        client.client(),
                        Source.TFTP,
                        "read " + result.name().toLowerCase(Locale.ROOT).replace('_', ' '),
                        "file=" + file + " bytes=" + bytes + " size=" + size);
            }
        }

        /** An admitted request that cannot be served: the error, and its slot back. */
        private void refuse(ChannelHandlerContext ctx, InetSocketAddress from, Runnable end, int code, String msg) {
            end.run();
            counters.errors.increment();
            error(ctx, from, code, msg);
        }

        private void error(ChannelHandlerContext ctx, InetSocketAddress to, int code, String msg) {
            ctx.writeAndFlush(
                    new DatagramPacket(Unpooled.wrappedBuffer(TftpCodec.encode(new TftpPacket.Error(code, msg))), to));
        }
    }
}
