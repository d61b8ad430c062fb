package dev.anvil.tftp.policy;

import dev.anvil.tftp.codec.TftpPacket;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Option negotiation for a read request (RFC 2347): blksize (RFC 2348, 8..65464, capped by the server's
 * limit), tsize (RFC 2349, the real size), timeout (RFC 2349, 1..255 s, and no more than the server's
 * {@link Limits#maxClientTimeout}) and windowsize (RFC 7440,
 * 1..65535, capped). An option with an invalid value is ignored, not refused; unknown options are ignored.
 * The OACK lists only the options the client asked for and the server accepted, in the client's order.
 */
public record Negotiation(int blksize, int windowsize, int timeoutMillis, Optional<Map<String, String>> oack) {

    public static final int DEFAULT_BLKSIZE = 512;

    public static Negotiation of(TftpPacket.Request rrq, long size, Limits limits) {
        int blk = DEFAULT_BLKSIZE;
        int win = 1;
        int timeout = (int) limits.timeout().toMillis();
        Map<String, String> ack = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : rrq.options().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            Optional<Long> v = number(e.getValue());
            switch (name) {
                case "blksize" -> {
                    if (v.isPresent() && v.get() >= 8 && v.get() <= 65464) {
                        blk = (int) Math.min(v.get(), limits.maxBlksize());
                        ack.put(e.getKey(), Integer.toString(blk));
                    }
                }
                case "tsize" -> {
                    if (v.isPresent() && size >= 0) {
                        ack.put(e.getKey(), Long.toString(size));
                    }
                }
                case "timeout" -> {
                    if (v.isPresent()
                            && v.get() >= 1
                            && v.get() <= 255
                            && v.get() <= limits.maxClientTimeout().toSeconds()) {
                        timeout = (int) (v.get() * 1000);
                        ack.put(e.getKey(), Long.toString(v.get()));
                    }
                }
                case "windowsize" -> {
                    if (v.isPresent() && v.get() >= 1 && v.get() <= 65535) {
                        win = (int) Math.min(v.get(), limits.maxWindowsize());
                        ack.put(e.getKey(), Integer.toString(win));
                    }
                }
                default -> {}
            }
        }
        return new Negotiation(blk, win, timeout, ack.isEmpty() ? Optional.empty() : Optional.of(ack));
    }

    private static Optional<Long> number(String s) {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(s));
    }
}
