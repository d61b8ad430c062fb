package dev.anvil.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    @Test
    void oneLinePerIntervalWithTheQuietCount() {
        LogThrottle t = new LogThrottle(Duration.ofSeconds(60));
        long s = 1_000_000_000L;
        assertEquals(0, t.permit(-5 * s), "the first occurrence logs, whatever the clock says");
        assertEquals(-1, t.permit(-4 * s));
        assertEquals(-1, t.permit(50 * s));
        assertEquals(2, t.permit(55 * s), "60 s after the last line: logs, with the two kept quiet");
        assertEquals(-1, t.permit(114 * s));
        assertEquals(1, t.permit(200 * s));
    }
}
