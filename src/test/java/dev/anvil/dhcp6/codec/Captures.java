package dev.anvil.dhcp6.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** The real DHCPv6 messages under src/test/resources/dhcp6 (see the README there for how each was captured). */
public final class Captures {
    private Captures() {}

    public static byte[] bytes(String name) {
        try (InputStream in = Captures.class.getResourceAsStream("/dhcp6/" + name)) {
            if (in == null) {
                throw new IOException("no capture " + name);
            }
            return HexFormat.of()
                    .parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> names() {
        try (InputStream in = Captures.class.getResourceAsStream("/dhcp6/")) {
            String listing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Arrays.stream(listing.split("\n"))
                    .filter(n -> n.endsWith(".hex"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Dhcp6Message decode(String name) throws MalformedPacketException {
        return Dhcp6Codec.decode(bytes(name));
    }
}
