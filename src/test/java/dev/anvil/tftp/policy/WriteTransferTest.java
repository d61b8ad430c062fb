package dev.anvil.tftp.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.tftp.codec.TftpPacket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteTransferTest {
    static final Limits LIMITS = new Limits(1468, 32, Duration.ofSeconds(1), 3, Duration.ofSeconds(30));

    static WriteTransfer transfer(String... kv) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        TftpPacket.Request wrq = new TftpPacket.Request(true, "up.bin", "octet", o);
        long tsize = o.containsKey("tsize") ? Long.parseLong(o.get("tsize")) : -1;
        return new WriteTransfer(Negotiation.of(wrq, tsize, LIMITS), 3);
    }

    static void assertAck(long block, boolean take, WriteTransfer.Step s) {
        assertEquals(block, s.ack(), "ack");
        assertEquals(take, s.take(), "take");
    }

    @Test
    void plainUploadIsAckedBlockByBlockAndCompletesOnAShortBlock() {
        WriteTransfer t = transfer();
        WriteTransfer.Step s = t.start();
        assertTrue(s.oack().isEmpty());
        assertAck(0, false, s);
        assertAck(1, true, t.onData(1, 512));
        assertAck(2, true, t.onData(2, 512));
        WriteTransfer.Step last = t.onData(3, 100);
        assertAck(3, true, last);
        assertTrue(last.complete(), "commit before the final ACK");
        assertFalse(last.finished(), "then dally");
        assertEquals(3, t.received());
    }

    @Test
    void anEmptyFileIsOneEmptyBlock() {
        WriteTransfer t = transfer();
        t.start();
        WriteTransfer.Step s = t.onData(1, 0);
        assertTrue(s.take() && s.complete());
        assertEquals(1, s.ack());
    }

    @Test
    void optionsAreAcknowledgedWithTheClientsTsize() {
        WriteTransfer t = transfer("blksize", "1468", "tsize", "5000", "windowsize", "4");
        WriteTransfer.Step s = t.start();
        assertEquals(
                Map.of("blksize", "1468", "tsize", "5000", "windowsize", "4"),
                s.oack().orElseThrow());
        assertFalse(s.sendsAck(), "an OACK replaces ACK 0");
        assertEquals(1468, t.negotiation().blksize());
    }

    @Test
    void aWindowIsAckedOnceAtItsEnd() {
        WriteTransfer t = transfer("blksize", "1000", "windowsize", "4");
        t.start();
        for (int b = 1; b <= 3; b++) {
            assertAck(-1, true, t.onData(b, 1000));
        }
        assertAck(4, true, t.onData(4, 1000));
        assertAck(-1, true, t.onData(5, 1000));
        WriteTransfer.Step last = t.onData(6, 10);
        assertAck(6, true, last);
        assertTrue(last.complete(), "the last block is acked even mid-window");
    }

    @Test
    void aGapIsAckedOnceFromTheLastBlockInOrder() {
        WriteTransfer t = transfer("blksize", "1000", "windowsize", "8");
        t.start();
        t.onData(1, 1000);
        t.onData(2, 1000);
        // block 3 is lost: 4..8 arrive
        assertAck(2, false, t.onData(4, 1000));
        for (int b = 5; b <= 8; b++) {
            assertAck(-1, false, t.onData(b, 1000));
        }
        // the sender restarts at 3; the window now ends at 2 + 8
        for (int b = 3; b <= 9; b++) {
            assertAck(-1, true, t.onData(b, 1000));
        }
        assertAck(10, true, t.onData(10, 1000));
        assertEquals(10, t.received());
    }

    @Test
    void aRepeatOfTheLastBlockIsAckedAgainButOlderOnesAreIgnored() {
        WriteTransfer t = transfer();
        t.start();
        t.onData(1, 512);
        t.onData(2, 512);
        assertAck(2, false, t.onData(2, 512));
        assertAck(-1, false, t.onData(1, 512));
        assertEquals(2, t.received());
    }

    @Test
    void blockNumbersRollOverPast65535() {
        WriteTransfer t = transfer();
        t.start();
        for (long b = 1; b <= 70_000; b++) {
            WriteTransfer.Step s = t.onData((int) (b & 0xffff), 512);
            assertTrue(s.take(), "block " + b);
            assertEquals(b, s.ack());
        }
        assertEquals(70_000, t.received());
        assertAck(70_000, false, t.onData(70_000 & 0xffff, 512));
    }

    @Test
    void beforeTheFirstBlockOnlyBlockOneCounts() {
        WriteTransfer t = transfer("blksize", "1000");
        t.start();
        assertAck(-1, false, t.onData(2, 1000));
        assertAck(-1, false, t.onData(0, 1000));
        assertAck(1, true, t.onData(1, 1000));
    }

    @Test
    void anOversizedBlockFailsTheTransfer() {
        WriteTransfer t = transfer();
        t.start();
        WriteTransfer.Step s = t.onData(1, 513);
        assertFalse(s.take());
        assertTrue(s.finished());
        assertTrue(s.error().orElseThrow().contains("larger than blksize"));
    }

    @Test
    void timeoutsRepeatTheLastAnswerThenGiveUp() {
        WriteTransfer t = transfer("blksize", "1000");
        assertTrue(t.start().oack().isPresent());
        assertTrue(t.onTimeout().oack().isPresent(), "no data yet: the OACK again");
        t.onData(1, 1000);
        assertAck(1, false, t.onTimeout());
        assertAck(1, false, t.onTimeout());
        assertAck(1, false, t.onTimeout());
        WriteTransfer.Step gaveUp = t.onTimeout();
        assertTrue(gaveUp.finished());
        assertTrue(gaveUp.error().isPresent());
    }

    @Test
    void progressResetsTheRetries() {
        WriteTransfer t = transfer();
        t.start();
        for (int b = 1; b <= 10; b++) {
            t.onTimeout();
            t.onTimeout();
            t.onTimeout();
            assertTrue(t.onData(b, 512).take(), "block " + b);
        }
    }

    @Test
    void afterTheLastBlockTheTransferDalliesThenEnds() {
        WriteTransfer t = transfer();
        t.start();
        t.onData(1, 512);
        t.onData(2, 5);
        assertAck(2, false, t.onData(2, 5));
        assertAck(-1, false, t.onData(3, 5));
        WriteTransfer.Step end = t.onTimeout();
        assertTrue(end.finished());
        assertTrue(end.error().isEmpty());
        assertAck(-1, false, t.onData(2, 5));
    }

    @Test
    void anErrorFromTheClientEndsIt() {
        WriteTransfer t = transfer("blksize", "1000");
        t.start();
        WriteTransfer.Step s = t.onError();
        assertTrue(s.finished());
        assertTrue(s.error().isEmpty());
        assertAck(-1, false, t.onData(1, 1000));
    }
}
