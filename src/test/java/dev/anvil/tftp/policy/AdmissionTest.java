package dev.anvil.tftp.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.tftp.policy.Admission.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    @Test
    void oneClientGetsItsShareAndNoMoreWhileOthersStillGetIn() {
        Admission<String> a = new Admission<>(100, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(Verdict.ADMIT, a.admit("10.0.0.1"));
        }
        assertEquals(Verdict.PER_CLIENT, a.admit("10.0.0.1"));
        assertEquals(Verdict.PER_CLIENT, a.admit("10.0.0.1"), "a refusal takes no slot");
        assertEquals(3, a.activeFrom("10.0.0.1"));
        assertEquals(Verdict.ADMIT, a.admit("10.0.0.2"), "another client still gets in");
        a.release("10.0.0.1");
        assertEquals(Verdict.ADMIT, a.admit("10.0.0.1"), "a slot freed is a slot again");
        assertEquals(4, a.active());
    }

    @Test
    void theGlobalLimitHoldsAcrossClients() {
        Admission<Integer> a = new Admission<>(5, 2);
        for (int c = 0; c < 5; c++) {
            assertEquals(Verdict.ADMIT, a.admit(c));
        }
        assertEquals(Verdict.BUSY, a.admit(99));
        assertEquals(Verdict.BUSY, a.admit(0), "a full server is busy for everyone, under their own limit too");
        a.release(3);
        assertEquals(Verdict.ADMIT, a.admit(99));
        assertEquals(5, a.active());
    }

    @Test
    void aClientAtItsLimitIsToldSoEvenWhenTheServerIsFull() {
        Admission<String> a = new Admission<>(2, 2);
        a.admit("x");
        a.admit("x");
        assertEquals(Verdict.PER_CLIENT, a.admit("x"), "its own limit is the reason");
        assertEquals(Verdict.BUSY, a.admit("y"));
    }

    @Test
    void theTableForgetsClientsWithNothingRunning() {
        Admission<Integer> a = new Admission<>(1000, 8);
        for (int round = 0; round < 10; round++) {
            for (int c = 0; c < 500; c++) {
                a.admit(round * 1000 + c);
            }
            for (int c = 0; c < 500; c++) {
                a.release(round * 1000 + c);
            }
        }
        assertEquals(0, a.clients(), "bounded: only clients with a transfer running");
        assertEquals(0, a.active());
        assertThrows(IllegalStateException.class, () -> a.release(1), "a release without an admit is a bug");
        assertThrows(IllegalArgumentException.class, () -> new Admission<>(0, 1));
    }

    @Test
    void concurrentAdmitsNeverExceedTheLimits() throws Exception {
        Admission<Integer> a = new Admission<>(50, 4);
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int seed = t;
            fs.add(pool.submit(() -> {
                java.util.Random r = new java.util.Random(seed);
                for (int i = 0; i < 20_000; i++) {
                    int c = r.nextInt(20);
                    if (a.admit(c) == Verdict.ADMIT) {
                        admitted.incrementAndGet();
                        peak.accumulateAndGet(a.activeFrom(c), Math::max);
                        a.release(c);
                    }
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(0, a.active());
        assertEquals(0, a.clients());
        assertTrue(peak.get() <= 4, "per-client peak " + peak.get());
        assertTrue(admitted.get() > 0);
    }
}
