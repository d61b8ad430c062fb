package dev.anvil.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A child's output reaches the log line by line, bounded in line length and in lines per minute. */
class ChildOutputTest {

    static List<String> read(String text, ChildOutput[] keep) {
        List<String> got = new ArrayList<>();
        ChildOutput out = new ChildOutput(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), got::add);
        out.run();
        keep[0] = out;
        return got;
    }

    @Test
    void linesAreHandedOnAndTheLastKept() {
        ChildOutput[] out = new ChildOutput[1];
        assertEquals(List.of("one", "two", "three"), read("one\ntwo\nthree", out));
        assertEquals(List.of("one", "two", "three"), out[0].last());
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            many.add("l" + i);
        }
        read(String.join("\n", many) + "\n", out);
        assertEquals(List.of("l3", "l4", "l5", "l6", "l7"), out[0].last());
    }

    @Test
    void aLongLineIsCutAndTheRestOfItSkipped() {
        ChildOutput[] out = new ChildOutput[1];
        List<String> got = read("x".repeat(100_000) + "\nnext\n", out);
        assertEquals(2, got.size());
        assertEquals("x".repeat(ChildOutput.MAX_LINE) + " [cut]", got.get(0));
        assertEquals("next", got.get(1));
    }

    @Test
    void atMostABurstOfLinesPerMinute() {
        ChildOutput[] out = new ChildOutput[1];
        List<String> got = read("line\n".repeat(10_000), out);
        assertEquals(ChildOutput.BURST, got.size());
        assertEquals(List.of("line", "line", "line", "line", "line"), out[0].last());
    }
}
