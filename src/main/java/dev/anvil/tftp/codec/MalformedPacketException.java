package dev.anvil.tftp.codec;

/** The bytes are not a TFTP packet: unknown opcode, missing NUL terminators, truncated fields. */
public final class MalformedPacketException extends Exception {
    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }
}
