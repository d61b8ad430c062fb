package dev.anvil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * Range headers built from valid and mutated specs (RFC 9110 §14.1.2) against any file length: every
 * satisfiable range lies inside the file, a set of only valid specs is never ignored, and more than
 * {@link Ranges#MAX_RANGES} specs are (the whole file is served). See doc/fuzzing.md.
 */
class RangesPropertyTest {
    @Property
    void rangesStayInsideTheFile(@ForAll("headers") String header, @ForAll @LongRange(max = 1L << 40) long length) {
        Ranges.Result r = Ranges.parse(header, length);
        if (r instanceof Ranges.Satisfiable s) {
            assertTrue(!s.ranges().isEmpty() && s.ranges().size() <= Ranges.MAX_RANGES);
            for (Ranges.ByteRange b : s.ranges()) {
                assertTrue(b.first() >= 0 && b.first() <= b.last() && b.last() < length, b + " in " + length);
            }
        }
    }

    @Property
    void onlyValidSpecsAreNeverIgnored(
            @ForAll("validSpecs") List<String> specs, @ForAll @LongRange(max = 1L << 40) long length) {
        Ranges.Result r = Ranges.parse("bytes=" + String.join(",", specs), length);
        if (specs.size() > Ranges.MAX_RANGES) {
            assertEquals(new Ranges.Ignore(), r);
        } else {
            assertTrue(!(r instanceof Ranges.Ignore), "ignored " + specs);
        }
    }

    @Provide
    Arbitrary<List<String>> validSpecs() {
        Arbitrary<Long> n = Arbitraries.longs().between(0, 1L << 41);
        Arbitrary<String> spec = Arbitraries.oneOf(
                n.map(x -> x + "-"),
                n.map(x -> "-" + x),
                n.flatMap(a -> Arbitraries.longs().between(a, 1L << 41).map(b -> a + "-" + b)));
        return spec.list().ofMinSize(1).ofMaxSize(70);
    }

    @Provide
    Arbitrary<String> headers() {
        Arbitrary<String> junk =
                Arbitraries.strings().withChars("0123456789-, =bytesBYTES\t;").ofMaxLength(40);
        return Arbitraries.oneOf(
                validSpecs().map(s -> "bytes=" + String.join(",", s)),
                validSpecs().map(s -> " Bytes = " + String.join(" , ", s) + ","),
                junk,
                junk.map(j -> "bytes=" + j),
                Arbitraries.strings().ofMaxLength(80));
    }
}
