package dev.anvil.dhcp6.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Untrusted bytes on UDP 547 through the DHCPv6 codec: {@link Dhcp6Codec#decode} either throws {@link
 * MalformedPacketException} (the counted drop) or gives a message that encodes to exactly the bytes it came from.
 * Anything else thrown, or a hang, is a finding. Seeds: the captures under {@code src/test/resources/dhcp6} (as
 * binary in {@code Dhcp6FuzzTestInputs}); see doc/fuzzing.md.
 */
class Dhcp6FuzzTest {
    @FuzzTest(maxDuration = "5s")
    void decodeEncode(byte[] wire) {
        Dhcp6MutationTest.check(wire);
    }
}
