package dev.anvil.http;

import dev.anvil.core.net.ClientAddress;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The open connections of one listener, overall and per client address, against two caps. Every admitted
 * connection must be {@link #release released} exactly once (the listener does it when the channel closes); an
 * address leaves the map with its last connection, so the map never holds more than {@code maxTotal} entries.
 * Thread-safe: connections open and close on every event loop. An IPv6 client counts per /64 ({@link
 * dev.anvil.core.net.ClientAddress#limitKey}): a host can pick any address of its /64, so per address it would
 * have no cap; an IPv4-mapped address counts as its IPv4 address.
 */
public final class ConnectionLimiter {
    /** What {@link #admit} decided. */
    public enum Admission {
        ADMITTED,
        OVER_TOTAL,
        OVER_CLIENT
    }

    private final int maxTotal;
    private final int maxPerClient;
    private final Map<InetAddress, Integer> perClient = new HashMap<>();
    private int total;

    public ConnectionLimiter(int maxTotal, int maxPerClient) {
        if (maxTotal < 1 || maxPerClient < 1) {
            throw new IllegalArgumentException("caps must be at least 1: " + maxTotal + ", " + maxPerClient);
        }
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    /** Counts a new connection from {@code client} unless a cap is reached (then nothing is counted). */
    public synchronized Admission admit(InetAddress address) {
        InetAddress client = ClientAddress.limitKey(address);
        if (total >= maxTotal) {
            return Admission.OVER_TOTAL;
        }
        int n = perClient.getOrDefault(client, 0);
        if (n >= maxPerClient) {
            return Admission.OVER_CLIENT;
        }
        perClient.put(client, n + 1);
        total++;
        return Admission.ADMITTED;
    }

    /** Forgets one admitted connection from {@code client}; false (and nothing changed) if none was open. */
    public synchronized boolean release(InetAddress address) {
        InetAddress client = ClientAddress.limitKey(address);
        Integer n = perClient.get(client);
        if (n == null) {
            return false;
        }
        if (n == 1) {
            perClient.remove(client);
        } else {
            perClient.put(client, n - 1);
        }
        total--;
        return true;
    }

    /** Connections open now. */
    public synchronized int open() {
        return total;
    }

    /** Connections open now from {@code client} (for IPv6: from its /64). */
    public synchronized int openFrom(InetAddress client) {
        return perClient.getOrDefault(ClientAddress.limitKey(client), 0);
    }

    /** Client addresses with at least one open connection (the size of the map). */
    public synchronized int clients() {
        return perClient.size();
    }

    public int maxTotal() {
        return maxTotal;
    }

    public int maxPerClient() {
        return maxPerClient;
    }
}
