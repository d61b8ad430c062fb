package dev.anvil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anvil.http.Ranges.ByteRange;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RangesTest {
    static String show(Ranges.Result r) {
        if (r instanceof Ranges.Satisfiable s) {
            return String.join(
                    " ",
                    s.ranges().stream().map(b -> b.first() + "-" + b.last()).toList());
        }
        return r instanceof Ranges.Unsatisfiable ? "416" : "200";
    }

    @ParameterizedTest(name = "{0} of {1} bytes -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bytes=0-99        | 1000 | 0-99",
                "bytes=0-0         | 1000 | 0-0",
                "bytes=990-        | 1000 | 990-999",
                "bytes=990-5000    | 1000 | 990-999",
                "bytes=-10         | 1000 | 990-999",
                "bytes=-5000       | 1000 | 0-999",
                "bytes=0-1,5-9     | 1000 | 0-1 5-9",
                "bytes= 0-1 , 5-9  | 1000 | 0-1 5-9",
                "BYTES=0-1         | 1000 | 0-1",
                "bytes=1000-       | 1000 | 416",
                "bytes=1000-2000   | 1000 | 416",
                "bytes=-0          | 1000 | 416",
                "bytes=0-          | 0    | 416",
                "bytes=2000-,0-1   | 1000 | 0-1",
                "bytes=5-1         | 1000 | 200",
                "bytes=a-b         | 1000 | 200",
                "bytes=0-1-2       | 1000 | 200",
                "bytes=            | 1000 | 200",
                "items=0-1         | 1000 | 200",
                "bytes=99999999999999999999-  | 1000 | 200",
            })
    void table(String header, long length, String expected) {
        assertEquals(expected, show(Ranges.parse(header, length)));
    }

    @org.junit.jupiter.api.Test
    void tooManyRangesServeTheWholeFile() {
        String h = "bytes=" + String.join(",", java.util.Collections.nCopies(Ranges.MAX_RANGES + 1, "0-0"));
        assertEquals("200", show(Ranges.parse(h, 10)));
        assertEquals(new Ranges.Satisfiable(List.of(new ByteRange(3, 4))), Ranges.parse("bytes=3-4", 10));
        assertEquals("200", show(Ranges.parse(null, 10)));
    }
}
