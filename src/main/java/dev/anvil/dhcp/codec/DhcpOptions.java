package dev.anvil.dhcp.codec;

import dev.anvil.core.net.Ipv4Address;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The options of a packet: an ordered map from code to raw value bytes. Instances of one code that a packet
 * carries several times are concatenated (RFC 3396 §5); unknown codes are kept as they are, so a packet
 * round-trips byte for byte. Immutable: values are copied in and out.
 */
public final class DhcpOptions {
    public static final DhcpOptions EMPTY = new DhcpOptions(new LinkedHashMap<>());

    private final Map<Integer, byte[]> values;

    private DhcpOptions(Map<Integer, byte[]> values) {
        this.values = values;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        values.forEach((k, v) -> b.values.put(k, v));
        return b;
    }

    /** The codes in packet order. */
    public Iterable<Integer> codes() {
        return values.keySet();
    }

    public boolean has(int code) {
        return values.containsKey(code);
    }

    public int size() {
        return values.size();
    }

    public Optional<byte[]> get(int code) {
        byte[] v = values.get(code);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    /** Read-only access for the codec, which writes the value without keeping it. */
    byte[] raw(int code) {
        return values.get(code);
    }

    /** Option 53, or empty when missing or not one byte (a BOOTP request). */
    public Optional<Integer> messageTypeCode() {
        byte[] v = values.get(DhcpOption.MESSAGE_TYPE);
        return v == null || v.length != 1 ? Optional.empty() : Optional.of(v[0] & 0xff);
    }

    public Optional<MessageType> messageType() {
        return messageTypeCode().map(MessageType::of);
    }

    public Optional<Ipv4Address> address(int code) {
        byte[] v = values.get(code);
        return v == null || v.length != 4 ? Optional.empty() : Optional.of(Ipv4Address.fromBytes(v, 0));
    }

    public Optional<Ipv4Address> requestedIp() {
        return address(DhcpOption.REQUESTED_IP);
    }

    public Optional<Ipv4Address> serverId() {
        return address(DhcpOption.SERVER_ID);
    }

    /** Option 55 as the list of codes the client asked for, in its order. */
    public int[] parameterRequestList() {
        byte[] v = values.get(DhcpOption.PARAMETER_REQUEST_LIST);
        if (v == null) {
            return new int[0];
        }
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] & 0xff;
        }
        return out;
    }

    /** Option 57 (RFC 2132 §9.10), or empty when absent or malformed. */
    public Optional<Integer> maxMessageSize() {
        byte[] v = values.get(DhcpOption.MAX_MESSAGE_SIZE);
        return v == null || v.length != 2 ? Optional.empty() : Optional.of(((v[0] & 0xff) << 8) | (v[1] & 0xff));
    }

    /** The first architecture type of option 93 (RFC 4578 §2.1 allows a list), or empty. */
    public Optional<Integer> clientArch() {
        byte[] v = values.get(DhcpOption.CLIENT_ARCH);
        return v == null || v.length < 2 ? Optional.empty() : Optional.of(((v[0] & 0xff) << 8) | (v[1] & 0xff));
    }

    public Optional<String> text(int code) {
        byte[] v = values.get(code);
        if (v == null) {
            return Optional.empty();
        }
        int len = v.length;
        while (len > 0 && v[len - 1] == 0) {
            len--; // some clients NUL-terminate strings
        }
        return Optional.of(new String(v, 0, len, StandardCharsets.US_ASCII));
    }

    public Optional<String> vendorClass() {
        return text(DhcpOption.VENDOR_CLASS);
    }

    /**
     * True if option 77 names {@code cls}: either the bare string iPXE sends or one entry of the RFC 3004
     * length-prefixed list.
     */
    public boolean hasUserClass(String cls) {
        byte[] v = values.get(DhcpOption.USER_CLASS);
        if (v == null) {
            return false;
        }
        byte[] want = cls.getBytes(StandardCharsets.US_ASCII);
        if (Arrays.equals(v, want)) {
            return true;
        }
        for (int i = 0; i < v.length; ) {
            int len = v[i] & 0xff;
            if (len == 0 || i + 1 + len > v.length) {
                return false;
            }
            if (Arrays.equals(v, i + 1, i + 1 + len, want, 0, want.length)) {
                return true;
            }
            i += 1 + len;
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DhcpOptions other) || other.values.size() != values.size()) {
            return false;
        }
        var a = values.entrySet().iterator();
        var b = other.values.entrySet().iterator();
        while (a.hasNext()) {
            var x = a.next();
            var y = b.next();
            if (!x.getKey().equals(y.getKey()) || !Arrays.equals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (var e : values.entrySet()) {
            h = 31 * h + e.getKey() * 17 + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "")
                .append(k)
                .append('=')
                .append(java.util.HexFormat.of().formatHex(v)));
        return sb.append('}').toString();
    }

    /** Collects options in insertion order; setting a code again replaces its value in place. */
    public static final class Builder {
        private LinkedHashMap<Integer, byte[]> values = new LinkedHashMap<>(32);
        /** The map was handed to a built {@link DhcpOptions}: the next change works on a copy. */
        private boolean shared;

        /** The map to change: copied first if a built instance owns it (that instance never changes). */
        private LinkedHashMap<Integer, byte[]> own() {
            if (shared) {
                values = new LinkedHashMap<>(values);
                shared = false;
            }
            return values;
        }

        public Builder put(int code, byte[] value) {
            return putOwned(code, value.clone());
        }

        /** Puts an array nobody else holds (made by the caller just now): no copy. */
        private Builder putOwned(int code, byte[] value) {
            if (code <= DhcpOption.PAD || code >= DhcpOption.END) {
                throw new IllegalArgumentException("option code " + code + " cannot carry a value");
            }
            own().put(code, value);
            return this;
        }

        /** RFC 3396: a repeated option's values are concatenated in order. */
        Builder append(int code, byte[] value) {
            own().merge(code, value, (a, b) -> {
                byte[] c = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, c, a.length, b.length);
                return c;
            });
            return this;
        }

        public Builder put(int code, Ipv4Address a) {
            return putOwned(code, a.toBytes());
        }

        public Builder putByte(int code, int value) {
            return putOwned(code, new byte[] {(byte) value});
        }

        public Builder putInt(int code, long value) {
            return putOwned(
                    code,
                    new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        }

        public Builder putText(int code, String value) {
            return putOwned(code, value.getBytes(StandardCharsets.US_ASCII));
        }

        public Builder remove(int code) {
            own().remove(code);
            return this;
        }

        public boolean has(int code) {
            return values.containsKey(code);
        }

        /** Moves the listed codes to the front, in that order (for the client's parameter request list). */
        public Builder orderFirst(int... codes) {
            LinkedHashMap<Integer, byte[]> reordered = new LinkedHashMap<>(32);
            byte[] type = values.get(DhcpOption.MESSAGE_TYPE);
            if (type != null) {
                reordered.put(DhcpOption.MESSAGE_TYPE, type);
            }
            for (int c : codes) {
                byte[] v = values.get(c);
                if (v != null) {
                    reordered.putIfAbsent(c, v);
                }
            }
            values.forEach(reordered::putIfAbsent);
            values = reordered; // a new map: a built instance sharing the old one keeps it as it was
            shared = false;
            return this;
        }

        /** The options so far; the builder stays usable (it copies its map before the next change). */
        public DhcpOptions build() {
            shared = true;
            return new DhcpOptions(values);
        }
    }
}
