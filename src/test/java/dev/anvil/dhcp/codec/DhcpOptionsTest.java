package dev.anvil.dhcp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The options table against a LinkedHashMap doing the same, below and above the size where it keeps an index. */
class DhcpOptionsTest {
    @Test
    void behavesAsAnInsertionOrderedMapWhateverItsSize() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            DhcpOptions.Builder b = DhcpOptions.builder();
            Map<Integer, byte[]> model = new LinkedHashMap<>();
            List<Map<Integer, byte[]>> snapshots = new ArrayList<>();
            List<DhcpOptions> builtThen = new ArrayList<>();
            int ops = 1 + rnd.nextInt(400);
            for (int k = 0; k < ops; k++) {
                int code = 1 + rnd.nextInt(round % 2 == 0 ? 20 : 254);
                byte[] v = {(byte) k};
                switch (rnd.nextInt(5)) {
                    case 0 -> {
                        b.remove(code);
                        model.remove(code);
                    }
                    case 1 -> {
                        b.append(code, v);
                        model.merge(code, v, (x, y) -> {
                            byte[] c = java.util.Arrays.copyOf(x, x.length + 1);
                            c[x.length] = y[0];
                            return c;
                        });
                    }
                    default -> {
                        b.put(code, v);
                        model.put(code, v);
                    }
                }
                if (k % 50 == 0) {
                    snapshots.add(new LinkedHashMap<>(model));
                    builtThen.add(b.build());
                }
            }
            DhcpOptions built = b.build();
            assertSame(model, built);
            assertSame(model, built.toBuilder().build());
            for (int i = 0; i < snapshots.size(); i++) {
                assertSame(
                        snapshots.get(i), builtThen.get(i)); // built earlier: unchanged by what the builder did since
            }
            assertFalse(built.has(0));
            assertFalse(built.has(255));
            assertFalse(built.has(300));
            assertFalse(built.has(-1));
        }
    }

    @Test
    void orderFirstPutsTheTypeThenTheRequestedCodesFirstAndKeepsTheRestInOrder() {
        for (int size : new int[] {5, 40}) {
            DhcpOptions.Builder b = DhcpOptions.builder();
            for (int code = 100; code < 100 + size; code++) {
                b.putByte(code, code);
            }
            b.putByte(DhcpOption.MESSAGE_TYPE, 2);
            DhcpOptions before = b.build();
            b.orderFirst(102, 999, 101, 102);
            List<Integer> order = new ArrayList<>();
            b.build().codes().forEach(order::add);
            List<Integer> expected = new ArrayList<>(List.of(DhcpOption.MESSAGE_TYPE, 102, 101, 100));
            for (int code = 103; code < 100 + size; code++) {
                expected.add(code);
            }
            assertEquals(expected, order);
            assertEquals(size + 1, before.size(), "the instance built before is unchanged");
            assertTrue(b.build().has(100 + size - 1));
            assertArrayEquals(new byte[] {(byte) 101}, b.build().get(101).orElseThrow());
        }
    }

    private static void assertSame(Map<Integer, byte[]> model, DhcpOptions o) {
        List<Integer> codes = new ArrayList<>();
        o.codes().forEach(codes::add);
        assertEquals(new ArrayList<>(model.keySet()), codes);
        assertEquals(model.size(), o.size());
        for (int code = 0; code < 256; code++) {
            assertEquals(model.containsKey(code), o.has(code), "code " + code);
            if (model.containsKey(code)) {
                assertArrayEquals(model.get(code), o.get(code).orElseThrow(), "code " + code);
            }
        }
    }
}
