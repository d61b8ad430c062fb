package dev.anvil.dhcp.codec;

import dev.anvil.core.net.Ipv4Address;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The options of a packet: an ordered map from code to raw value bytes. Instances of one code that a packet
 * carries several times are concatenated (RFC 3396 §5); unknown codes are kept as they are, so a packet
 * round-trips byte for byte. Immutable: values are copied in and out.
 *
 * <p>Held as two parallel arrays in packet order (a packet has a few dozen options at most, so a scan beats a
 * hash map, and a DHCP server makes two of these per packet: one decoded, one for the reply).
 */
public final class DhcpOptions {
    public static final DhcpOptions EMPTY = new DhcpOptions(new Table(0));

    private final Table values;

    private DhcpOptions(Table values) {
        this.values = values;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.values = values.copy(values.n + 8);
        return b;
    }

    /** The codes in packet order. */
    public Iterable<Integer> codes() {
        return () -> new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < values.n;
            }

            @Override
            public Integer next() {
                if (i >= values.n) {
                    throw new NoSuchElementException();
                }
                return values.codes[i++];
            }
        };
    }

    public boolean has(int code) {
        return values.indexOf(code) >= 0;
    }

    public int size() {
        return values.n;
    }

    /** The {@code i}-th option's code, in packet order ({@code 0 <= i < size()}): for the codec. */
    int codeAt(int i) {
        return values.codes[i];
    }

    /** The {@code i}-th option's value, not copied: for the codec, which writes it without keeping it. */
    byte[] rawAt(int i) {
        return values.vals[i];
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
        if (!(o instanceof DhcpOptions other) || other.values.n != values.n) {
            return false;
        }
        for (int i = 0; i < values.n; i++) {
            if (values.codes[i] != other.values.codes[i] || !Arrays.equals(values.vals[i], other.values.vals[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < values.n; i++) {
            h = 31 * h + values.codes[i] * 17 + Arrays.hashCode(values.vals[i]);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.n; i++) {
            sb.append(i > 0 ? ", " : "")
                    .append(values.codes[i])
                    .append('=')
                    .append(java.util.HexFormat.of().formatHex(values.vals[i]));
        }
        return sb.append('}').toString();
    }

    /**
     * Codes and values in insertion order; one entry per code. Past {@link #INDEXED} entries (a real packet has
     * fewer) a code-to-position index is kept too, so a packet packed with hundreds of options costs a lookup per
     * option, not a scan.
     */
    private static final class Table {
        static final int INDEXED = 16;

        int[] codes;
        byte[][] vals;
        int n;
        /** Position + 1 of each code 0..255, or 0; only once there are more than {@link #INDEXED} entries. */
        byte[] index;

        Table(int capacity) {
            codes = new int[capacity];
            vals = new byte[capacity][];
        }

        int indexOf(int code) {
            if (index != null) {
                return (code & ~0xff) != 0 ? -1 : (index[code] & 0xff) - 1;
            }
            for (int i = 0; i < n; i++) {
                if (codes[i] == code) {
                    return i;
                }
            }
            return -1;
        }

        byte[] get(int code) {
            int i = indexOf(code);
            return i < 0 ? null : vals[i];
        }

        /** Replaces the code's value in place, or adds it at the end. */
        void put(int code, byte[] value) {
            int i = indexOf(code);
            if (i >= 0) {
                vals[i] = value;
                return;
            }
            if (n == codes.length) {
                codes = Arrays.copyOf(codes, Math.max(8, n * 2));
                vals = Arrays.copyOf(vals, codes.length);
            }
            codes[n] = code;
            vals[n++] = value;
            if (index != null) {
                index[code] = (byte) n;
            } else if (n > INDEXED) {
                reindex();
            }
        }

        void remove(int code) {
            int i = indexOf(code);
            if (i >= 0) {
                System.arraycopy(codes, i + 1, codes, i, n - i - 1);
                System.arraycopy(vals, i + 1, vals, i, n - i - 1);
                vals[--n] = null;
                if (index != null) {
                    reindex();
                }
            }
        }

        private void reindex() {
            index = new byte[256];
            for (int i = 0; i < n; i++) {
                index[codes[i]] = (byte) (i + 1);
            }
        }

        Table copy(int capacity) {
            Table t = new Table(Math.max(capacity, n));
            System.arraycopy(codes, 0, t.codes, 0, n);
            System.arraycopy(vals, 0, t.vals, 0, n);
            t.n = n;
            if (index != null) {
                t.index = index.clone();
            }
            return t;
        }
    }

    /** Collects options in insertion order; setting a code again replaces its value in place. */
    public static final class Builder {
        private Table values = new Table(24);
        /** The table was handed to a built {@link DhcpOptions}: the next change works on a copy. */
        private boolean shared;

        /** The table to change: copied first if a built instance owns it (that instance never changes). */
        private Table own() {
            if (shared) {
                values = values.copy(values.n + 8);
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
            Table t = own();
            byte[] a = t.get(code);
            if (a == null) {
                t.put(code, value);
            } else {
                byte[] c = Arrays.copyOf(a, a.length + value.length);
                System.arraycopy(value, 0, c, a.length, value.length);
                t.put(code, c);
            }
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
            return values.indexOf(code) >= 0;
        }

        /**
         * Moves the listed codes to the front, in that order, after the message type (for the client's
         * parameter request list); the rest keep their order.
         */
        public Builder orderFirst(int... codes) {
            Table from = values;
            Table reordered = new Table(from.n);
            boolean[] taken = new boolean[from.n];
            int type = from.indexOf(DhcpOption.MESSAGE_TYPE);
            if (type >= 0) {
                reordered.put(DhcpOption.MESSAGE_TYPE, from.vals[type]);
                taken[type] = true;
            }
            for (int c : codes) {
                int i = from.indexOf(c);
                if (i >= 0 && !taken[i]) {
                    reordered.put(c, from.vals[i]);
                    taken[i] = true;
                }
            }
            for (int i = 0; i < from.n; i++) {
                if (!taken[i]) {
                    reordered.put(from.codes[i], from.vals[i]);
                }
            }
            values = reordered; // a new table: a built instance sharing the old one keeps it as it was
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
