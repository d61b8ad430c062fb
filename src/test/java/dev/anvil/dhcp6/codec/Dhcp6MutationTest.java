package dev.anvil.dhcp6.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of every capture (flipped, replaced, inserted and deleted bytes, truncations, splices of two
 * captures): each result decodes, and then encodes to exactly its bytes, or is a {@link MalformedPacketException};
 * anything else thrown fails. Seeded, so a failure repeats; {@code Dhcp6FuzzTest} does the coverage-guided part.
 */
class Dhcp6MutationTest {
    static final int ROUNDS = 20_000;

    /** Decodes or refuses; a decoded message re-encodes to the same bytes. Returns whether it decoded. */
    static boolean check(byte[] wire) {
        Dhcp6Message m;
        try {
            m = Dhcp6Codec.decode(wire);
        } catch (MalformedPacketException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), "a reason");
            return false;
        }
        assertArrayEquals(wire, Dhcp6Codec.encode(m), () -> "re-encoding " + m);
        return true;
    }

    @Test
    void mutatedCapturesDecodeToThemselvesOrAreMalformed() {
        List<byte[]> seeds = Captures.names().stream().map(Captures::bytes).toList();
        SplittableRandom rnd = new SplittableRandom(6);
        int decoded = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] b = seeds.get(rnd.nextInt(seeds.size())).clone();
            int edits = 1 + rnd.nextInt(4);
            for (int e = 0; e < edits; e++) {
                b = mutate(b, rnd, seeds);
            }
            if (check(b)) {
                decoded++;
            }
        }
        // Most single-byte changes land in values (addresses, ids, lifetimes) and still decode; both outcomes
        // must be exercised, or the mutations are not reaching the parser.
        assertTrue(decoded > ROUNDS / 20 && decoded < ROUNDS - ROUNDS / 20, decoded + " of " + ROUNDS + " decoded");
    }

    static byte[] mutate(byte[] b, SplittableRandom rnd, List<byte[]> seeds) {
        if (b.length == 0) {
            return new byte[] {(byte) rnd.nextInt(256)};
        }
        int at = rnd.nextInt(b.length);
        switch (rnd.nextInt(6)) {
            case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> b[at] = (byte) (rnd.nextBoolean() ? 0 : 0xff);
            case 2 -> b[at] = (byte) rnd.nextInt(256);
            case 3 -> {
                byte[] longer = Arrays.copyOf(b, b.length + 1);
                System.arraycopy(b, at, longer, at + 1, b.length - at);
                longer[at] = (byte) rnd.nextInt(256);
                return longer;
            }
            case 4 -> {
                return Arrays.copyOf(b, at);
            }
            default -> {
                byte[] other = seeds.get(rnd.nextInt(seeds.size()));
                int from = rnd.nextInt(other.length);
                byte[] spliced = Arrays.copyOf(b, at + other.length - from);
                System.arraycopy(other, from, spliced, at, other.length - from);
                return spliced;
            }
        }
        return b;
    }
}
