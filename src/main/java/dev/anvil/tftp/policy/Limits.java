package dev.anvil.tftp.policy;

import java.time.Duration;

/**
 * Server-side bounds on a transfer.
 *
 * @param maxBlksize the largest block the server agrees to (fit the interface MTU: 1468 for 1500)
 * @param maxWindowsize the largest RFC 7440 window the server agrees to
 * @param timeout retransmission timeout when the client names none
 * @param maxRetries retransmissions of one window before the transfer is abandoned
 * @param maxClientTimeout the longest RFC 2349 {@code timeout} a client may ask for: a longer one is not
 *     acknowledged (the RFC lets the server only take or leave the value) and {@code timeout} applies. Bounds how
 *     long a client that stops answering holds a transfer slot: this times {@code maxRetries + 1}
 */
public record Limits(int maxBlksize, int maxWindowsize, Duration timeout, int maxRetries, Duration maxClientTimeout) {
    public static final Limits DEFAULT = new Limits(1468, 64, Duration.ofSeconds(1), 6, Duration.ofSeconds(30));
}
