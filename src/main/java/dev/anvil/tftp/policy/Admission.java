package dev.anvil.tftp.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Which new transfers may start: at most {@code maxTotal} at once, and at most {@code maxPerClient} from one
 * client address (whatever its ports), so one machine, or one program opening transfers in a loop, cannot
 * take every slot from the machines booting beside it. Admitting counts the transfer until it is released;
 * the per-client table holds only addresses with a transfer running, so it is bounded by {@code maxTotal}.
 * Thread-safe: transfers end on other threads than the one admitting them.
 *
 * @param <K> a client's address
 */
public final class Admission<K> {

    /** The answer to a new request. */
    public enum Verdict {
        ADMIT,
        /** {@code maxTotal} transfers are running. */
        BUSY,
        /** {@code maxPerClient} transfers from this client are running. */
        PER_CLIENT
    }

    private final int maxTotal;
    private final int maxPerClient;
    private final Map<K, Integer> perClient = new HashMap<>();
    private int total;

    public Admission(int maxTotal, int maxPerClient) {
        if (maxTotal < 1 || maxPerClient < 1) {
            throw new IllegalArgumentException("limits must be at least 1: " + maxTotal + ", " + maxPerClient);
        }
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    /** Admits (and counts) a transfer from {@code client}, or says why not. */
    public synchronized Verdict admit(K client) {
        int mine = perClient.getOrDefault(client, 0);
        if (mine >= maxPerClient) {
            return Verdict.PER_CLIENT;
        }
        if (total >= maxTotal) {
            return Verdict.BUSY;
        }
        perClient.put(client, mine + 1);
        total++;
        return Verdict.ADMIT;
    }

    /** An admitted transfer from {@code client} ended (or never started). */
    public synchronized void release(K client) {
        Integer mine = perClient.get(client);
        if (mine == null) {
            throw new IllegalStateException("no transfer from " + client + " to release");
        }
        if (mine == 1) {
            perClient.remove(client);
        } else {
            perClient.put(client, mine - 1);
        }
        total--;
    }

    public synchronized int active() {
        return total;
    }

    public synchronized int activeFrom(K client) {
        return perClient.getOrDefault(client, 0);
    }

    /** Clients with a transfer running: the table's size. */
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
