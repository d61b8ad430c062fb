package dev.anvil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.config.HttpLimits;
import dev.anvil.http.ConnectionTimers.Expiry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The timeouts of one connection, driven with explicit times (seconds here, nanoseconds inside). */
class ConnectionTimersTest {
    /** idle 60, header 10, body 20, send 30. */
    private static final HttpLimits L = new HttpLimits(
            Duration.ofSeconds(60),
            Duration.ofSeconds(10),
            Duration.ofSeconds(20),
            Duration.ofSeconds(30),
            100,
            10,
            8192,
            16384,
            1 << 20);

    private static final long S = 1_000_000_000L;
    private static final long T0 = -7 * S; // nanoTime may be negative

    private static long at(double seconds) {
        return T0 + (long) (seconds * S);
    }

    /** A GET answered by one response written in one go, ending at {@code t}. */
    private static void request(ConnectionTimers c, double t) {
        c.bytesIn(at(t));
        c.head(at(t), false);
        c.bodyPart(at(t), true);
        c.writeStarted(at(t), true);
        c.writeDone(at(t), true);
    }

    @Test
    void aSilentNewConnectionIsCutAtTheHeaderTimeoutWithoutAnAnswer() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        assertEquals(at(10), c.deadline());
        assertEquals(Expiry.NONE, c.expired(at(9.9)));
        assertEquals(Expiry.HEADER, c.expired(at(10)));
        assertFalse(c.mayAnswer(), "nothing arrived: closed quietly");
    }

    @Test
    void slowlorisOnTheFirstRequestCountsFromTheConnectionAndGets408() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        for (int t = 1; t < 10; t++) {
            c.bytesIn(at(t)); // one byte a second never extends the deadline
            assertEquals(at(10), c.deadline());
        }
        assertEquals(Expiry.HEADER, c.expired(at(10)));
        assertTrue(c.mayAnswer());
    }

    @Test
    void keepAliveWaitsIdleTimeoutThenTheNextHeadGetsHeaderTimeoutFromItsFirstByte() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        request(c, 1);
        assertTrue(c.idle());
        assertEquals(at(61), c.deadline());
        assertEquals(Expiry.NONE, c.expired(at(60)));
        c.bytesIn(at(50));
        assertFalse(c.idle());
        assertEquals(at(60), c.deadline());
        assertEquals(Expiry.HEADER, c.expired(at(60)));
        assertTrue(c.mayAnswer());
    }

    @Test
    void anIdleKeepAliveConnectionExpiresQuietly() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        request(c, 2);
        assertEquals(Expiry.IDLE, c.expired(at(62)));
    }

    @Test
    void aBodyMayTakeLongAsLongAsItKeepsComing() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        c.bytesIn(at(1));
        c.head(at(1), false);
        for (int t = 10; t <= 100; t += 10) {
            c.bytesIn(at(t));
            c.bodyPart(at(t), false);
            assertEquals(Expiry.NONE, c.expired(at(t + 19)));
        }
        assertEquals(at(120), c.deadline());
        assertEquals(Expiry.BODY, c.expired(at(120)));
        assertTrue(c.mayAnswer(), "no response yet: 408");
    }

    @Test
    void noBodyTimeoutAnswerWhenTheRequestWasAnsweredAlready() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        c.bytesIn(at(1));
        c.head(at(1), false);
        c.writeStarted(at(1), true); // 413 while the body still comes
        c.writeDone(at(1), true);
        assertEquals(Expiry.BODY, c.expired(at(21)));
        assertFalse(c.mayAnswer());
        c.bodyPart(at(5), true);
        assertTrue(c.idle(), "the discarded body ended: waiting for the next request");
        assertEquals(at(65), c.deadline());
    }

    @Test
    void aClientThatStopsReadingIsCutAfterTheSendTimeout() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        c.bytesIn(at(0));
        c.head(at(0), false);
        c.bodyPart(at(0), true);
        c.writeStarted(at(1), true);
        c.writeStarted(at(1), false); // the file
        c.writeDone(at(1), false); // the head went out
        assertEquals(at(31), c.deadline());
        c.output(at(20), 1);
        c.output(at(31), 2); // progress: the deadline moves
        assertEquals(Expiry.NONE, c.expired(at(31)));
        assertEquals(at(61), c.deadline());
        c.output(at(61), 2); // no progress since 31
        assertEquals(Expiry.SEND, c.expired(at(61)));
        assertFalse(c.mayAnswer());
    }

    @Test
    void aSlowButMovingDownloadIsNeverCutAndNoIdleTimeoutRunsMeanwhile() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        c.bytesIn(at(0));
        c.head(at(0), true);
        c.writeStarted(at(0), true);
        for (int t = 25; t < 1000; t += 25) {
            c.output(at(t), t);
            assertEquals(Expiry.NONE, c.expired(at(t)));
        }
        c.writeDone(at(1000), true);
        assertEquals(at(1060), c.deadline());
    }

    @Test
    void aHandlerStillWorkingRunsNoTimer() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        c.bytesIn(at(0));
        c.head(at(0), true);
        assertEquals(Long.MAX_VALUE, c.deadline());
        assertEquals(Expiry.NONE, c.expired(at(10_000)));
    }

    @Test
    void interimWritesAndOutputWithoutPendingWritesDoNotCount() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        request(c, 1);
        c.output(at(30), 99);
        assertEquals(at(61), c.deadline());
    }

    @Test
    void aPipelinedHeadAfterALongResponseGetsNoAnswerWhileOneIsOwed() {
        ConnectionTimers c = new ConnectionTimers(L, at(0));
        c.bytesIn(at(0));
        c.head(at(0), true);
        c.writeStarted(at(0), true);
        c.bytesIn(at(1)); // part of a second request
        assertEquals(at(11), c.deadline());
        assertEquals(Expiry.HEADER, c.expired(at(11)));
        assertFalse(c.mayAnswer());
    }
}
