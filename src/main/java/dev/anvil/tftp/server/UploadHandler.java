package dev.anvil.tftp.server;

import dev.anvil.tftp.codec.TftpCodec;
import dev.anvil.tftp.codec.TftpPacket;
import dev.anvil.tftp.policy.WriteTransfer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileAlreadyExistsException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One write transfer (an upload) on its own socket, driven by {@link WriteTransfer}: DATA payloads go into
 * an {@link UploadFile}; when the last block is in, the file is synced and linked into place on the commit
 * executor (off the event loop: fsync may take a while) and only then is the final ACK sent, so a client that
 * saw the final ACK knows its file is on disk. Packets from any other address or port get ERROR 5.
 */
final class UploadHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(UploadHandler.class);

    private final WriteTransfer transfer;
    private final UploadFile file;
    private final InetSocketAddress client;
    private final TftpCounters counters;
    private final Executor commits;
    private final Runnable onEnd;
    private TransferTimer timer;
    /** The file is being committed: the final ACK waits for it. */
    private boolean committing;

    private boolean committed;
    private boolean ended;
    /** Abandoned after the retry budget: counted as uploadsTimedOut, not uploadsFailed. */
    private boolean timedOut;

    UploadHandler(
            WriteTransfer transfer,
            UploadFile file,
            InetSocketAddress client,
            TftpCounters counters,
            Executor commits,
            Runnable onEnd) {
        this.transfer = transfer;
        this.file = file;
        this.client = client;
        this.counters = counters;
        this.commits = commits;
        this.onEnd = onEnd;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer = new TransferTimer(ctx.executor(), () -> {
            if (committing) {
                timer.arm(transfer.negotiation().timeoutMillis()); // a slow fsync: the dally starts after the final ACK
            } else {
                WriteTransfer.Step step = transfer.onTimeout();
                timedOut = step.finished() && step.error().isPresent(); // the client stopped sending
                apply(ctx, step, TftpPacket.Error.NOT_DEFINED);
            }
        });
        apply(ctx, transfer.start(), 0);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
        if (!p.sender().equals(client)) {
            send(ctx, new TftpPacket.Error(TftpPacket.Error.UNKNOWN_TID, "unknown transfer ID"), p.sender());
            ctx.flush();
            return;
        }
        ByteBuf c = p.content();
        if (c.readableBytes() < 4) {
            counters.malformed.increment();
            return;
        }
        int op = c.getUnsignedShort(c.readerIndex());
        if (op == TftpPacket.DATA) {
            int block = c.getUnsignedShort(c.readerIndex() + 2);
            ByteBuf payload = c.slice(c.readerIndex() + 4, c.readableBytes() - 4);
            WriteTransfer.Step step = transfer.onData(block, payload.readableBytes());
            if (step.take()) {
                try {
                    file.append(payload);
                } catch (UploadFile.TooLargeException e) {
                    apply(ctx, transfer.fail(e.getMessage()), TftpPacket.Error.DISK_FULL);
                    return;
                } catch (IOException e) {
                    log.warn("tftp: upload to {} failed: {}", file.target(), e.toString());
                    apply(ctx, transfer.fail("cannot write the file"), TftpPacket.Error.DISK_FULL);
                    return;
                }
            }
            apply(ctx, step, TftpPacket.Error.ILLEGAL_OPERATION); // its only error: a block over the blksize
        } else if (op == TftpPacket.ERROR) {
            apply(ctx, transfer.onError(), 0);
        } else {
            counters.malformed.increment(); // an ACK or a request has no place in an upload
        }
    }

    private void apply(ChannelHandlerContext ctx, WriteTransfer.Step step, int errorCode) {
        if (ended) {
            return;
        }
        step.oack().ifPresent(o -> send(ctx, new TftpPacket.OptionAck(o), client));
        if (step.complete()) {
            commit(ctx, step.ack());
            return;
        }
        if (step.sendsAck() && !committing) {
            send(ctx, new TftpPacket.Ack((int) (step.ack() & 0xffff)), client);
        }
        step.error().ifPresent(e -> send(ctx, new TftpPacket.Error(errorCode, e), client));
        ctx.flush();
        if (step.finished()) {
            end(ctx, step.error().isEmpty() && committed);
            return;
        }
        if (step.oack().isPresent() || step.sendsAck() || step.take()) {
            timer.arm(transfer.negotiation().timeoutMillis());
        }
    }

    /** Syncs and links the file off the event loop, then sends the final ACK (or the error) from it. */
    private void commit(ChannelHandlerContext ctx, long lastBlock) {
        committing = true;
        timer.arm(transfer.negotiation().timeoutMillis());
        Runnable work = () -> {
            int code;
            String why;
            try {
                file.commit();
                code = -1;
                why = "";
            } catch (FileAlreadyExistsException e) {
                code = TftpPacket.Error.FILE_EXISTS;
                why = "file already exists";
            } catch (IOException | RuntimeException e) {
                log.warn("tftp: cannot store the upload {}: {}", file.target(), e.toString());
                code = TftpPacket.Error.DISK_FULL;
                why = "cannot store the file";
            }
            int c = code;
            String w = why;
            try {
                ctx.executor().execute(() -> committed(ctx, lastBlock, c, w));
            } catch (RejectedExecutionException e) {
                // the server is stopping: the file is stored (or not) as above; there is no one left to ACK
                if (c >= 0) {
                    file.close();
                }
            }
        };
        try {
            commits.execute(work);
        } catch (RejectedExecutionException e) {
            committed(ctx, lastBlock, TftpPacket.Error.NOT_DEFINED, "server shutting down");
        }
    }

    private void committed(ChannelHandlerContext ctx, long lastBlock, int errorCode, String why) {
        committing = false;
        if (ended) {
            file.close(); // closed meanwhile (shutdown): a failed commit leaves no temporary file behind
            return;
        }
        if (errorCode >= 0) {
            apply(ctx, transfer.fail(why), errorCode);
            return;
        }
        committed = true;
        counters.uploadsCompleted.increment();
        counters.uploadBytes.add(file.size());
        log.info("tftp: {} uploaded {} ({} bytes)", client.getAddress().getHostAddress(), file.target(), file.size());
        send(ctx, new TftpPacket.Ack((int) (lastBlock & 0xffff)), client);
        ctx.flush();
        timer.arm(transfer.negotiation().timeoutMillis()); // dally: a lost final ACK is asked for again
    }

    private static void send(ChannelHandlerContext ctx, TftpPacket packet, InetSocketAddress to) {
        ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(TftpCodec.encode(packet)), to));
    }

    private void end(ChannelHandlerContext ctx, boolean ok) {
        if (ended) {
            return;
        }
        ended = true;
        if (!ok && !committed) {
            (timedOut ? counters.uploadsTimedOut : counters.uploadsFailed).increment();
        }
        if (timer != null) {
            timer.cancel();
        }
        if (!committing) {
            file.close();
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ended) {
            end(ctx, false);
        }
        onEnd.run();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        counters.errors.increment();
        end(ctx, false);
    }
}
