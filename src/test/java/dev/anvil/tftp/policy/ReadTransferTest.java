package dev.anvil.tftp.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.tftp.codec.TftpPacket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReadTransferTest {
    static final Limits LIMITS = new Limits(1468, 32, Duration.ofSeconds(1), 3, Duration.ofSeconds(30));

    static TftpPacket.Request rrq(String... kv) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        return new TftpPacket.Request(false, "f", "octet", o);
    }

    @Test
    void negotiationAcknowledgesOnlyWhatWasAskedAndCapsIt() {
        Negotiation n = Negotiation.of(
                rrq("tsize", "0", "blksize", "9000", "windowsize", "100", "timeout", "3", "multicast", ""),
                123456,
                LIMITS);
        assertEquals(1468, n.blksize());
        assertEquals(32, n.windowsize());
        assertEquals(3000, n.timeoutMillis());
        assertEquals(
                Map.of("tsize", "123456", "blksize", "1468", "windowsize", "32", "timeout", "3"),
                n.oack().orElseThrow());
        assertEquals(
                java.util.List.of("tsize", "blksize", "windowsize", "timeout"),
                java.util.List.copyOf(n.oack().orElseThrow().keySet()),
                "in the client's order");
        Negotiation bad =
                Negotiation.of(rrq("blksize", "7", "timeout", "0", "windowsize", "x", "BLKSIZE", "1"), 10, LIMITS);
        assertTrue(bad.oack().isEmpty(), "invalid values are ignored, not refused");
        assertEquals(512, bad.blksize());
        assertTrue(Negotiation.of(rrq(), 10, LIMITS).oack().isEmpty());
    }

    @Test
    void aTimeoutOverTheServersCapIsLeftOutAndTheDefaultApplies() {
        Negotiation atCap = Negotiation.of(rrq("timeout", "30"), 10, LIMITS);
        assertEquals(30_000, atCap.timeoutMillis());
        assertEquals(Map.of("timeout", "30"), atCap.oack().orElseThrow());
        Negotiation over = Negotiation.of(rrq("timeout", "31", "blksize", "1024"), 10, LIMITS);
        assertEquals(1000, over.timeoutMillis(), "RFC 2349 lets the server take or leave the value, never change it");
        assertEquals(Map.of("blksize", "1024"), over.oack().orElseThrow());
        Negotiation raised = Negotiation.of(
                rrq("timeout", "255"), 10, new Limits(1468, 32, Duration.ofSeconds(1), 3, Duration.ofSeconds(255)));
        assertEquals(255_000, raised.timeoutMillis());
    }

    @Test
    void plainTransferIsLockStepAndEndsWithAShortBlock() {
        ReadTransfer t = new ReadTransfer(Negotiation.of(rrq(), 1024, LIMITS), 1024, 3);
        assertEquals(3, t.lastBlock(), "two full blocks and an empty one");
        ReadTransfer.Step s = t.start();
        assertEquals(1, s.from());
        assertEquals(1, s.to());
        assertEquals(512, t.blockLength(1));
        assertEquals(0, t.blockLength(3));
        assertEquals(2, t.onAck(1).from());
        assertEquals(3, t.onAck(2).to());
        assertTrue(t.onAck(3).finished());
        assertTrue(t.finished());
    }

    @Test
    void oackFirstThenWindowsAndDuplicateAcksNeverResend() {
        ReadTransfer t =
                new ReadTransfer(Negotiation.of(rrq("blksize", "1000", "windowsize", "4"), 10_500, LIMITS), 10_500, 3);
        ReadTransfer.Step s = t.start();
        assertTrue(s.oack().isPresent());
        assertFalse(s.sendsBlocks());
        assertFalse(t.onAck(1).sendsBlocks(), "a stray ACK while the OACK is unanswered changes nothing");
        s = t.onAck(0);
        assertEquals(1, s.from());
        assertEquals(4, s.to());
        s = t.onAck(4);
        assertEquals(5, s.from());
        assertEquals(8, s.to());
        assertFalse(t.onAck(4).sendsBlocks(), "Sorcerer's Apprentice: a duplicate ACK sends nothing");
        s = t.onAck(6); // the client lost 7: the next window starts right after what it has
        assertEquals(7, s.from());
        assertEquals(10, s.to());
        s = t.onAck(10);
        assertEquals(11, s.from());
        assertEquals(11, s.to(), "last block: 10500 = 10 x 1000 + 500");
        assertEquals(500, t.blockLength(11));
        assertTrue(t.onAck(11).finished());
    }

    @Test
    void timeoutsRetransmitTheWindowUntilTheRetryLimit() {
        ReadTransfer t = new ReadTransfer(Negotiation.of(rrq("windowsize", "2"), 5000, LIMITS), 5000, 3);
        t.start();
        t.onAck(0);
        ReadTransfer.Step r = t.onTimeout();
        assertEquals(1, r.from());
        assertEquals(2, r.to());
        t.onTimeout();
        t.onTimeout();
        ReadTransfer.Step gaveUp = t.onTimeout();
        assertTrue(gaveUp.finished());
        assertEquals(Optional.of("no answer after 3 retransmissions"), gaveUp.error());
    }

    @Test
    void theOackIsResentOnTimeoutAndAnErrorEndsTheTransfer() {
        ReadTransfer t = new ReadTransfer(Negotiation.of(rrq("tsize", "0"), 100, LIMITS), 100, 3);
        t.start();
        assertTrue(t.onTimeout().oack().isPresent());
        assertTrue(t.onError().finished(), "ERROR 8: the client refuses the options (OVMF's tsize probe)");
        assertFalse(t.onAck(0).sendsBlocks());
    }

    @Test
    void blockNumbersRollOverPast65535() {
        long size = 70_000L * 512;
        ReadTransfer t = new ReadTransfer(Negotiation.of(rrq(), size, LIMITS), size, 3);
        t.start();
        for (long b = 1; b < 70_000; b++) {
            ReadTransfer.Step s = t.onAck((int) (b & 0xffff));
            assertEquals(b + 1, s.from(), "after block " + b);
        }
        assertEquals(70_001, t.lastBlock());
        t.onAck(70_000 & 0xffff);
        assertTrue(t.onAck((int) (70_001 & 0xffff)).finished());
    }
}
