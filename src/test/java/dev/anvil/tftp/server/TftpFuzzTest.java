package dev.anvil.tftp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.anvil.core.net.Ipv4Address;
import dev.anvil.fuzz.FuzzFixtures;
import dev.anvil.tftp.codec.MalformedPacketException;
import dev.anvil.tftp.codec.TftpCodec;
import dev.anvil.tftp.codec.TftpPacket;
import dev.anvil.tftp.policy.Limits;
import dev.anvil.tftp.policy.Negotiation;
import dev.anvil.tftp.policy.ReadTransfer;
import dev.anvil.tftp.policy.WriteTransfer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Untrusted bytes on UDP 69 and on a transfer's port: a request ({@link TftpCodec#decode}; malformed is the
 * counted drop), its file name through the jail ({@link TftpFiles#resolve}, with the real generated boot
 * configs), {@link Negotiation} of its options, then the packets a client sends during the transfer, each
 * decoded and fed to the {@link ReadTransfer} or {@link WriteTransfer} state machine, with timeouts between.
 * Every step must stay within the file and the negotiated bounds, every OACK must encode and decode, and a
 * transfer must end once the retries run out.
 *
 * <p>Input: a 2-byte length, the request packet, then events: a length byte (0: a timeout) and that many
 * bytes of a packet. Seeds: the captures under {@code src/test/resources/tftp/captures}.
 */
class TftpFuzzTest {
    static final Path ROOT = FuzzFixtures.servedTree();
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.10.0.150");
    static final int RETRIES = 3;
    final TftpFiles files = new TftpFiles(ROOT, FuzzFixtures.bootConfigs());

    @FuzzTest(maxDuration = "5s")
    void requestThenTransfer(byte[] input) {
        ByteBuffer in = ByteBuffer.wrap(input);
        if (in.remaining() < 2) {
            return;
        }
        byte[] first = new byte[Math.min(in.getShort() & 0xffff, in.remaining())];
        in.get(first);
        TftpPacket p;
        try {
            p = TftpCodec.decode(first);
        } catch (MalformedPacketException e) {
            return;
        }
        if (!(p instanceof TftpPacket.Request r)) {
            return; // not a request: port 69 ignores it
        }
        if (r.write()) {
            files.resolveUpload(r.filename(), CLIENT); // uploads are off: only the checks run
            upload(r, in);
            return;
        }
        TftpFiles.Resolution res = files.resolve(r.filename(), CLIENT);
        if (res.content().isEmpty()) {
            assertTrue(
                    res.errorCode() == TftpPacket.Error.FILE_NOT_FOUND
                            || res.errorCode() == TftpPacket.Error.ACCESS_VIOLATION,
                    "error " + res.errorCode());
            roundTrips(new TftpPacket.Error(res.errorCode(), res.error()));
            return;
        }
        TftpContent content = res.content().get();
        try {
            assertTrue(
                    !new String(content.bytes(), java.nio.charset.StandardCharsets.US_ASCII)
                            .contains("outside the root"),
                    r.filename() + " left the root");
            read(r, content.size(), in);
        } finally {
            content.release();
        }
    }

    private static void read(TftpPacket.Request r, long size, ByteBuffer in) {
        Negotiation n = Negotiation.of(r, size, Limits.DEFAULT);
        checkNegotiation(n);
        ReadTransfer t = new ReadTransfer(n, size, RETRIES);
        check(t, t.start(), size);
        int quiet = 0;
        while (in.hasRemaining() && !t.finished()) {
            Optional<TftpPacket> p = event(in);
            ReadTransfer.Step s;
            if (p.isEmpty()) {
                s = t.onTimeout();
                quiet++;
                assertTrue(quiet <= RETRIES + 1, "still going after " + quiet + " timeouts in a row");
            } else if (p.get() instanceof TftpPacket.Ack a) {
                s = t.onAck(a.block());
                quiet = s.sendsBlocks() || s.finished() ? 0 : quiet;
            } else if (p.get() instanceof TftpPacket.Error) {
                s = t.onError();
            } else {
                continue;
            }
            check(t, s, size);
        }
    }

    private static void check(ReadTransfer t, ReadTransfer.Step s, long size) {
        s.oack().ifPresent(o -> roundTrips(new TftpPacket.OptionAck(o)));
        if (s.sendsBlocks()) {
            assertTrue(s.from() >= 1 && s.to() <= t.lastBlock(), "blocks " + s.from() + ".." + s.to());
            assertTrue(s.to() - s.from() < t.negotiation().windowsize(), "more than a window");
            for (long b = s.from(); b <= s.to(); b++) {
                int len = t.blockLength(b);
                assertTrue(len >= 0 && len <= t.negotiation().blksize(), "block " + b + " of " + len + " bytes");
                assertTrue((b - 1) * t.negotiation().blksize() + len <= size, "block " + b + " beyond the file");
            }
        }
    }

    private static void upload(TftpPacket.Request r, ByteBuffer in) {
        long tsize = r.option("tsize")
                .filter(v -> v.matches("[0-9]{1,18}"))
                .map(Long::parseLong)
                .orElse(-1L);
        Negotiation n = Negotiation.of(r, tsize, Limits.DEFAULT);
        checkNegotiation(n);
        WriteTransfer t = new WriteTransfer(n, RETRIES);
        t.start().oack().ifPresent(o -> roundTrips(new TftpPacket.OptionAck(o)));
        long taken = 0;
        int quiet = 0;
        boolean finished = false;
        while (in.hasRemaining() && !finished) {
            Optional<TftpPacket> p = event(in);
            WriteTransfer.Step s;
            if (p.isEmpty()) {
                s = t.onTimeout();
                quiet++;
                assertTrue(quiet <= RETRIES + 2, "still going after " + quiet + " timeouts in a row");
            } else if (p.get() instanceof TftpPacket.Data d) {
                s = t.onData(d.block(), d.payload().length);
                if (s.take()) {
                    assertTrue(d.payload().length <= n.blksize(), "took a block larger than blksize");
                    taken += d.payload().length;
                }
                quiet = 0;
            } else if (p.get() instanceof TftpPacket.Error) {
                s = t.onError();
            } else {
                continue;
            }
            s.oack().ifPresent(o -> roundTrips(new TftpPacket.OptionAck(o)));
            assertTrue(!s.sendsAck() || s.ack() <= t.received(), "ACK of a block not received");
            finished = s.finished();
        }
        assertTrue(taken <= t.received() * (long) n.blksize());
    }

    private static void checkNegotiation(Negotiation n) {
        assertTrue(n.blksize() >= 8 && n.blksize() <= Limits.DEFAULT.maxBlksize(), "blksize " + n.blksize());
        assertTrue(n.windowsize() >= 1 && n.windowsize() <= Limits.DEFAULT.maxWindowsize(), "window " + n.windowsize());
        assertTrue(n.timeoutMillis() >= 1000 && n.timeoutMillis() <= 255_000, "timeout " + n.timeoutMillis());
        n.oack().ifPresent(o -> roundTrips(new TftpPacket.OptionAck(o)));
    }

    /** The next event: empty for a timeout (a zero length byte), or a packet that decodes; malformed ones skip. */
    private static Optional<TftpPacket> event(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte[] b = new byte[Math.min(in.get() & 0xff, in.remaining())];
            if (b.length == 0) {
                return Optional.empty();
            }
            in.get(b);
            try {
                return Optional.of(TftpCodec.decode(b));
            } catch (MalformedPacketException e) {
                // the counted drop; the transfer goes on
            }
        }
        return Optional.empty();
    }

    /** What the server sends (OACK, ERROR) decodes to the same packet. */
    static void roundTrips(TftpPacket p) {
        try {
            assertEquals(p.toString(), TftpCodec.decode(TftpCodec.encode(p)).toString());
        } catch (MalformedPacketException e) {
            throw new AssertionError("our own encoding of " + p + " does not decode: " + e.getMessage(), e);
        }
    }
}
