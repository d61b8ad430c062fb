package dev.anvil.config;

/**
 * The per-node boot timeline ({@code timeline:}).
 *
 * @param eventsPerNode events kept per node; older ones are deleted as new ones are stored
 * @param queue events waiting to be stored; beyond it new events are dropped and counted (a packet flood must
 *     neither grow memory nor block a listener)
 */
public record TimelineConfig(int eventsPerNode, int queue) {
    public static TimelineConfig defaults() {
        return new TimelineConfig(500, 10_000);
    }
}
