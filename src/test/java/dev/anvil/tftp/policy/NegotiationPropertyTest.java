package dev.anvil.tftp.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.tftp.codec.MalformedPacketException;
import dev.anvil.tftp.codec.TftpCodec;
import dev.anvil.tftp.codec.TftpPacket;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * Read requests with RFC 2347 options drawn from the known names (any case) and values valid, out of range,
 * or garbage: the request round-trips through the codec, the negotiated values stay within the server's
 * limits, and the OACK names only options the client sent, with values that parse. See doc/fuzzing.md.
 */
class NegotiationPropertyTest {
    @Property
    void negotiatedValuesStayInBounds(
            @ForAll("requests") TftpPacket.Request rrq, @ForAll @LongRange(min = -1, max = 1L << 40) long size)
            throws MalformedPacketException {
        assertEquals(rrq, TftpCodec.decode(TftpCodec.encode(rrq)));
        Negotiation n = Negotiation.of(rrq, size, Limits.DEFAULT);
        assertTrue(n.blksize() >= 8 && n.blksize() <= Limits.DEFAULT.maxBlksize());
        assertTrue(n.windowsize() >= 1 && n.windowsize() <= Limits.DEFAULT.maxWindowsize());
        assertTrue(n.timeoutMillis() >= 1000
                && n.timeoutMillis() <= Limits.DEFAULT.maxClientTimeout().toMillis());
        n.oack()
                .ifPresent(o -> o.forEach((k, v) -> {
                    assertTrue(rrq.options().containsKey(k), k);
                    assertTrue(Long.parseLong(v) >= 0, v);
                }));
    }

    @Provide
    Arbitrary<TftpPacket.Request> requests() {
        Arbitrary<String> name = Arbitraries.of(
                "blksize", "BLKSIZE", "tsize", "timeout", "Timeout", "windowsize", "multicast", "utimeout");
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 100_000).map(Object::toString),
                Arbitraries.of("", "-1", "0", "8", "7", "65464", "65465", "99999999999", "1e3", " 512", "0x10"),
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(12));
        Arbitrary<Map<String, String>> opts =
                Arbitraries.maps(name, value).ofMaxSize(6).map(LinkedHashMap::new);
        return opts.map(o -> new TftpPacket.Request(false, "pxelinux.0", "octet", o));
    }
}
