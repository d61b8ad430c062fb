package dev.anvil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.http.ConnectionLimiter.Admission;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {
    private static InetAddress ip(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
    }

    @Test
    void perClientCapLeavesOtherClientsIn() throws Exception {
        ConnectionLimiter l = new ConnectionLimiter(10, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(Admission.ADMITTED, l.admit(ip(1)));
        }
        assertEquals(Admission.OVER_CLIENT, l.admit(ip(1)));
        assertEquals(Admission.ADMITTED, l.admit(ip(2)));
        assertEquals(4, l.open());
        assertEquals(3, l.openFrom(ip(1)));
        assertTrue(l.release(ip(1)));
        assertEquals(Admission.ADMITTED, l.admit(ip(1)), "a released slot is free again");
    }

    @Test
    void totalCapComesFirstAndRefusalsCountNothing() throws Exception {
        ConnectionLimiter l = new ConnectionLimiter(2, 2);
        assertEquals(Admission.ADMITTED, l.admit(ip(1)));
        assertEquals(Admission.ADMITTED, l.admit(ip(2)));
        assertEquals(Admission.OVER_TOTAL, l.admit(ip(3)));
        assertEquals(Admission.OVER_TOTAL, l.admit(ip(1)));
        assertEquals(2, l.open());
        assertEquals(2, l.clients());
        assertEquals(0, l.openFrom(ip(3)));
    }

    @Test
    void addressesThatGoAwayLeaveNothingBehind() throws Exception {
        ConnectionLimiter l = new ConnectionLimiter(100, 5);
        for (int i = 0; i < 100_000; i++) {
            InetAddress a = ip(i);
            assertEquals(Admission.ADMITTED, l.admit(a));
            assertEquals(Admission.ADMITTED, l.admit(a));
            assertTrue(l.release(a));
            assertTrue(l.release(a));
        }
        assertEquals(0, l.open());
        assertEquals(0, l.clients());
    }

    @Test
    void releasingWhatWasNeverAdmittedChangesNothing() throws Exception {
        ConnectionLimiter l = new ConnectionLimiter(4, 4);
        assertEquals(Admission.ADMITTED, l.admit(ip(1)));
        assertFalse(l.release(ip(2)));
        assertTrue(l.release(ip(1)));
        assertFalse(l.release(ip(1)));
        assertEquals(0, l.open());
    }

    @Test
    void concurrentOpenAndCloseNeverPassTheCapsAndEndAtZero() throws Exception {
        ConnectionLimiter l = new ConnectionLimiter(50, 8);
        AtomicInteger over = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int seed = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < 20_000; i++) {
                        InetAddress a = ip((seed * 7 + i) % 12);
                        if (l.admit(a) == Admission.ADMITTED) {
                            if (l.open() > 50 || l.openFrom(a) > 8) {
                                over.incrementAndGet();
                            }
                            l.release(a);
                        }
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(0, over.get());
        assertEquals(0, l.open());
        assertEquals(0, l.clients());
    }

    @Test
    void anIpv6ClientIsCappedPerSlash64WhateverAddressItPicks() throws Exception {
        ConnectionLimiter l = new ConnectionLimiter(100, 3);
        for (int i = 1; i <= 3; i++) {
            assertEquals(Admission.ADMITTED, l.admit(InetAddress.getByName("fd00:0:0:1::" + Integer.toHexString(i))));
        }
        // A fourth address of the same /64 is the same client.
        assertEquals(Admission.OVER_CLIENT, l.admit(InetAddress.getByName("fd00:0:0:1:abcd::99")));
        assertEquals(3, l.openFrom(InetAddress.getByName("fd00:0:0:1::ffff")));
        // Another /64 is another client.
        assertEquals(Admission.ADMITTED, l.admit(InetAddress.getByName("fd00:0:0:2::1")));
        // Released under any address of the /64 (the one it connected from, in practice), the slot is free.
        assertTrue(l.release(InetAddress.getByName("fd00:0:0:1::2")));
        assertEquals(Admission.ADMITTED, l.admit(InetAddress.getByName("fd00:0:0:1::77")));
        assertEquals(2, l.clients());
    }
}
