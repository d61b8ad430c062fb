package dev.anvil.tftp.codec;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** TFTP packets (RFC 1350 §5, RFC 2347 OACK), immutable. Unknown options and error codes are kept. */
public sealed interface TftpPacket {
    int RRQ = 1;
    int WRQ = 2;
    int DATA = 3;
    int ACK = 4;
    int ERROR = 5;
    int OACK = 6;

    /** A read or write request with its options in the order sent (names as sent; look-ups ignore case). */
    record Request(boolean write, String filename, String mode, Map<String, String> options) implements TftpPacket {
        public Request {
            options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        }

        /** An option's value; option names are case-insensitive (RFC 2347). */
        public Optional<String> option(String name) {
            for (Map.Entry<String, String> e : options.entrySet()) {
                if (e.getKey().toLowerCase(Locale.ROOT).equals(name)) {
                    return Optional.of(e.getValue());
                }
            }
            return Optional.empty();
        }
    }

    /** A data block; {@code block} is the 16-bit wire number. */
    record Data(int block, byte[] payload) implements TftpPacket {
        public Data {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data d && d.block == block && Arrays.equals(d.payload, payload);
        }

        @Override
        public int hashCode() {
            return block * 31 + Arrays.hashCode(payload);
        }
    }

    record Ack(int block) implements TftpPacket {}

    /** An error; codes 0..8 are defined (RFC 1350 §5, RFC 2347 for 8), others are kept as they are. */
    record Error(int code, String message) implements TftpPacket {
        public static final int NOT_DEFINED = 0;
        public static final int FILE_NOT_FOUND = 1;
        public static final int ACCESS_VIOLATION = 2;
        public static final int DISK_FULL = 3;
        public static final int ILLEGAL_OPERATION = 4;
        public static final int UNKNOWN_TID = 5;
        public static final int FILE_EXISTS = 6;
        public static final int NO_SUCH_USER = 7;
        public static final int OPTION_REFUSED = 8;
    }

    /** Option acknowledgement (RFC 2347): the options the server accepted, with their final values. */
    record OptionAck(Map<String, String> options) implements TftpPacket {
        public OptionAck {
            options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        }
    }
}
