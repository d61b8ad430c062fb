package dev.anvil.tftp.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.tftp.codec.NetasciiEncoder;
import dev.anvil.tftp.codec.TftpPacket;
import dev.anvil.tftp.policy.Limits;
import dev.anvil.tftp.policy.Negotiation;
import dev.anvil.tftp.policy.ReadTransfer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One read transfer on a netty embedded channel: what goes out, how it ends, and what it gives back. */
class TransferHandlerTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.9", 2000);
    static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 40000);

    final TftpCounters counters = new TftpCounters();
    final AtomicInteger ends = new AtomicInteger();

    EmbeddedChannel transfer(byte[] file, boolean ascii, int retries, Map<String, String> options) {
        TftpContent content = TftpContent.of(file);
        long size = ascii ? NetasciiEncoder.encodedLength(content.nio()) : content.size();
        Limits limits = new Limits(1468, 8, Duration.ofMillis(50), retries, Duration.ofSeconds(30));
        Negotiation n =
                Negotiation.of(new TftpPacket.Request(false, "f", ascii ? "netascii" : "octet", options), size, limits);
        NetasciiEncoder enc = ascii ? new NetasciiEncoder(content.nio(), n.blksize(), n.windowsize() + 1) : null;
        this.content = content;
        return new EmbeddedChannel(new TransferHandler(
                new ReadTransfer(n, size, retries),
                content,
                enc,
                CLIENT,
                counters,
                ends::incrementAndGet,
                () -> {},
                (result, bytes) -> endings.add(result + " " + bytes)));
    }

    TftpContent content;
    final java.util.List<String> endings = new java.util.ArrayList<>();

    static byte[] payload(DatagramPacket p) {
        ByteBuf c = p.content();
        assertEquals(TftpPacket.DATA, c.getUnsignedShort(c.readerIndex()));
        byte[] b = ByteBufUtil.getBytes(c, c.readerIndex() + 4, c.readableBytes() - 4);
        p.release();
        return b;
    }

    static void ack(EmbeddedChannel ch, int block) {
        ch.writeInbound(new DatagramPacket(
                Unpooled.wrappedBuffer(new byte[] {0, 4, (byte) (block >> 8), (byte) block}), SERVER, CLIENT));
    }

    @Test
    void aClientThatStopsAckingIsDroppedAfterTheRetryBudgetCountedAndReleased() throws Exception {
        EmbeddedChannel ch = transfer(new byte[5000], false, 2, Map.of());
        payload(ch.readOutbound());
        assertEquals(1, content.refCnt(), "the transfer holds the one reference (block 1's slice is sent)");
        long end = System.nanoTime() + 5_000_000_000L;
        int resent = 0;
        while (ch.isOpen() && System.nanoTime() < end) {
            Thread.sleep(20);
            ch.runScheduledPendingTasks();
            for (Object o; (o = ch.readOutbound()) != null; ) {
                DatagramPacket p = (DatagramPacket) o;
                if (p.content().getUnsignedShort(0) == TftpPacket.DATA) {
                    resent++;
                } else {
                    assertEquals(TftpPacket.ERROR, p.content().getUnsignedShort(0), "the client is told why");
                }
                p.release();
            }
        }
        assertFalse(ch.isOpen(), "the transfer's socket is closed");
        assertEquals(2, resent, "block 1 again, twice: the retry budget");
        assertEquals(1, counters.timedOut.sum());
        assertEquals(0, counters.failed.sum(), "a timeout is counted as one, not as a failure");
        assertEquals(2, counters.retransmits.sum());
        assertEquals(0, content.refCnt(), "its reference to the file (the mapping) is released");
        assertEquals(1, ends.get(), "its slot is given back once");
    }

    @Test
    void anUploaderThatStopsSendingIsDroppedCountedAndLeavesNothing(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        UploadFile file = UploadFile.create(dir.resolve("up.bin"), false, false, 1 << 20);
        Negotiation n = Negotiation.of(
                new TftpPacket.Request(true, "up.bin", "octet", Map.of()),
                -1,
                new Limits(1468, 8, Duration.ofMillis(50), 2, Duration.ofSeconds(30)));
        EmbeddedChannel ch = new EmbeddedChannel(new UploadHandler(
                new dev.anvil.tftp.policy.WriteTransfer(n, 2),
                file,
                CLIENT,
                counters,
                Runnable::run,
                ends::incrementAndGet));
        ((DatagramPacket) ch.readOutbound()).release(); // ACK 0
        byte[] data = new byte[4 + 512];
        data[1] = TftpPacket.DATA;
        data[3] = 1;
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(data), SERVER, CLIENT)); // block 1, then silence
        long end = System.nanoTime() + 5_000_000_000L;
        while (ch.isOpen() && System.nanoTime() < end) {
            Thread.sleep(20);
            ch.runScheduledPendingTasks();
            for (Object o; (o = ch.readOutbound()) != null; ) {
                ((DatagramPacket) o).release();
            }
        }
        assertFalse(ch.isOpen());
        assertEquals(1, counters.uploadsTimedOut.sum());
        assertEquals(0, counters.uploadsFailed.sum(), "a timeout is counted as one, not as a failure");
        assertEquals(1, ends.get());
        try (var left = java.nio.file.Files.list(dir)) {
            assertEquals(0, left.count(), "no temporary file left behind");
        }
    }

    @Test
    void netasciiGoesOutBlockByBlockConvertedWithTheRightLastBlock() {
        // 1468-byte blocks; the CR LF of the LF at source offset 1467 straddles blocks 1 and 2
        byte[] file = new byte[3000];
        java.util.Arrays.fill(file, (byte) 'x');
        file[1467] = '\n';
        file[2000] = '\r';
        file[2999] = '\n';
        EmbeddedChannel ch = transfer(file, true, 3, Map.of("blksize", "1468", "tsize", "0"));
        DatagramPacket oack = ch.readOutbound();
        assertTrue(
                oack.content()
                        .toString(java.nio.charset.StandardCharsets.US_ASCII)
                        .contains("3003"),
                "tsize is the converted size");
        oack.release();
        ack(ch, 0);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int blocks = 0;
        for (Object o; (o = ch.readOutbound()) != null; ) {
            byte[] b = payload((DatagramPacket) o);
            got.writeBytes(b);
            blocks++;
            ack(ch, blocks);
        }
        assertEquals(3, blocks, "3003 bytes: two full blocks and a short one");
        byte[] want = new byte[3003];
        java.util.Arrays.fill(want, (byte) 'x');
        want[1467] = '\r';
        want[1468] = '\n';
        want[2001] = '\r';
        want[2002] = 0;
        want[3001] = '\r';
        want[3002] = '\n';
        assertArrayEquals(want, got.toByteArray());
        assertFalse(ch.isOpen());
        assertEquals(1, counters.completed.sum());
        assertEquals(0, content.refCnt());
        assertEquals(1, ends.get());
        assertEquals(java.util.List.of("COMPLETED 3003"), endings, "the end is told once, with the bytes sent");
    }
}
