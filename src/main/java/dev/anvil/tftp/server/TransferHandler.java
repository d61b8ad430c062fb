package dev.anvil.tftp.server;

import dev.anvil.tftp.codec.MalformedPacketException;
import dev.anvil.tftp.codec.NetasciiEncoder;
import dev.anvil.tftp.codec.TftpCodec;
import dev.anvil.tftp.codec.TftpPacket;
import dev.anvil.tftp.policy.ReadTransfer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * One read transfer on its own socket (its TID, RFC 1350 §4), driven by {@link ReadTransfer}: DATA blocks
 * are sliced from the shared content without copying, a window at a time, and the retransmission timer is
 * re-armed on every step. A netascii transfer converts each block as it sends it ({@link NetasciiEncoder}).
 * Packets from any other address or port get ERROR 5 and change nothing. A client that stops acknowledging
 * is abandoned after the retry budget and counted ({@code timedOut}); however a transfer ends, its socket is
 * closed and its reference to the content released.
 */
final class TransferHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final ReadTransfer transfer;
    private final TftpContent content;
    /** The netascii conversion, or null (octet: slices of the content). */
    private final NetasciiEncoder netascii;

    private final byte[] scratch;
    private final InetSocketAddress client;
    private final TftpCounters counters;
    private final Runnable onEnd;
    private final Runnable onPacket;
    /** Told how the transfer ended and how many DATA bytes it sent (the boot timeline). */
    private final Ended onEnded;

    private TransferTimer timer;
    private boolean ended;
    private boolean abortedByClient;
    /** For the transfer histograms: when it started (System.nanoTime), DATA bytes sent, how it ended. */
    private long startedAt;

    private long sent;
    private TftpCounters.Result result = TftpCounters.Result.FAILED;

    TransferHandler(
            ReadTransfer transfer,
            TftpContent content,
            NetasciiEncoder netascii,
            InetSocketAddress client,
            TftpCounters counters,
            Runnable onEnd,
            Runnable onPacket,
            Ended onEnded) {
        this.onEnded = onEnded;
        this.netascii = netascii;
        this.scratch = netascii == null ? null : new byte[transfer.negotiation().blksize()];
        this.onPacket = onPacket;
        this.transfer = transfer;
        this.content = content;
        this.client = client;
        this.counters = counters;
        this.onEnd = onEnd;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startedAt = System.nanoTime();
        timer = new TransferTimer(ctx.executor(), () -> apply(ctx, transfer.onTimeout(), true));
        apply(ctx, transfer.start(), false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
        onPacket.run();
        if (!p.sender().equals(client)) {
            send(
                    ctx,
                    TftpCodec.encode(new TftpPacket.Error(TftpPacket.Error.UNKNOWN_TID, "unknown transfer ID")),
                    p.sender());
            ctx.flush();
            return;
        }
        ByteBuf c = p.content();
        byte[] b = new byte[c.readableBytes()];
        c.getBytes(c.readerIndex(), b);
        TftpPacket packet;
        try {
            packet = TftpCodec.decode(b);
        } catch (MalformedPacketException e) {
            counters.malformed.increment();
            return;
        }
        if (packet instanceof TftpPacket.Ack a) {
            apply(ctx, transfer.onAck(a.block()), false);
        } else if (packet instanceof TftpPacket.Error) {
            abortedByClient = true; // e.g. OVMF's tsize probe, ended with ERROR 8 on purpose
            apply(ctx, transfer.onError(), false);
        }
    }

    private void apply(ChannelHandlerContext ctx, ReadTransfer.Step step, boolean retransmit) {
        if (ended) {
            return;
        }
        step.oack().ifPresent(o -> send(ctx, TftpCodec.encode(new TftpPacket.OptionAck(o)), client));
        int blksize = transfer.negotiation().blksize();
        // A window's blocks are written together and flushed once: netty sends them with one sendmmsg.
        // (UDP GSO was tried and measured slower for single windowed transfers: doc/benchmarks.md.)
        for (long b = step.from(); b <= step.to(); b++) {
            ctx.write(new DatagramPacket(block(ctx, b, blksize), client));
            int length = transfer.blockLength(b);
            counters.bytes.add(length);
            sent += length;
            if (retransmit) {
                counters.retransmits.increment();
            }
        }
        if (step.error().isPresent()) {
            send(
                    ctx,
                    TftpCodec.encode(new TftpPacket.Error(
                            TftpPacket.Error.NOT_DEFINED, step.error().get())),
                    client);
        }
        ctx.flush();
        if (step.finished()) {
            if (step.error().isPresent() && retransmit) {
                counters.timedOut.increment(); // the retry budget is spent: the client stopped acknowledging
                result = TftpCounters.Result.TIMED_OUT;
            } else if (step.error().isPresent()) {
                counters.failed.increment();
            } else if (abortedByClient) {
                counters.aborted.increment();
                result = TftpCounters.Result.ABORTED;
            } else {
                counters.completed.increment();
                result = TftpCounters.Result.COMPLETED;
            }
            end(ctx);
            return;
        }
        if (step.oack().isPresent() || step.sendsBlocks()) {
            timer.arm(transfer.negotiation().timeoutMillis());
        }
    }

    /** DATA block {@code b}: a 4-byte header and a slice of the shared content, no copy (netascii: converted). */
    private ByteBuf block(ChannelHandlerContext ctx, long b, int blksize) {
        int len = transfer.blockLength(b);
        if (netascii != null) {
            int n = netascii.block(b, scratch);
            return ctx.alloc()
                    .ioBuffer(4 + n)
                    .writeShort(TftpPacket.DATA)
                    .writeShort((int) (b & 0xffff))
                    .writeBytes(scratch, 0, n);
        }
        ByteBuf header = ctx.alloc().ioBuffer(4).writeShort(TftpPacket.DATA).writeShort((int) (b & 0xffff));
        return len == 0 ? header : Unpooled.wrappedUnmodifiableBuffer(header, content.slice((b - 1) * blksize, len));
    }

    private static void send(ChannelHandlerContext ctx, byte[] bytes, InetSocketAddress to) {
        ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(bytes), to));
    }

    private void end(ChannelHandlerContext ctx) {
        if (ended) {
            return;
        }
        ended = true;
        if (timer != null) {
            timer.cancel();
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ended) {
            ended = true;
            counters.failed.increment();
            if (timer != null) {
                timer.cancel();
            }
        }
        content.release();
        onEnd.run();
        if (startedAt != 0) {
            counters.ended(result, System.nanoTime() - startedAt, sent);
        }
        onEnded.ended(result, sent);
    }

    /** What hears a transfer's end. */
    @FunctionalInterface
    interface Ended {
        void ended(TftpCounters.Result result, long bytesSent);
    }

    /** E.g. ICMP port unreachable: the client went away. The transfer ends, counted as failed. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        counters.errors.increment();
        if (!ended) {
            counters.failed.increment();
        }
        end(ctx);
    }
}
