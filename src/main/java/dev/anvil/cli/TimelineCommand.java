package dev.anvil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code anvil timeline NODE}: {@code GET /api/v1/nodes/{id}/timeline}, every DHCP, TFTP, HTTP, discovery,
 * lifecycle and task event of the node, oldest first: where its boot stopped.
 */
@Command(
        name = "timeline",
        description = "A node's boot timeline (DHCP, TFTP, HTTP, discovery, lifecycle, tasks), oldest first.")
final class TimelineCommand extends Cmd implements Callable<Integer> {
    @Parameters(paramLabel = "NODE", description = "A node name or MAC.")
    String node;

    @Option(names = "--limit", paramLabel = "N", description = "The newest N events (1 to 1000; default 200).")
    Integer limit;

    @Override
    public Integer call() {
        String path = NodesCommand.path(node) + "/timeline" + (limit == null ? "" : "?limit=" + limit);
        emit(api().get(path), TimelineCommand::human);
        return 0;
    }

    static String human(JsonNode t) {
        Table table = new Table("at", "source", "event", "mac", "address", "detail");
        for (JsonNode e : t.path("events")) {
            table.row(
                    millis(e.path("at")),
                    e.path("source"),
                    e.path("event"),
                    e.path("mac"),
                    e.path("address"),
                    e.path("detail"));
        }
        String out = table.render();
        long dropped = t.path("dropped").asLong();
        if (dropped > 0) {
            out += dropped + " events dropped since the daemon started (its timeline queue was full)\n";
        }
        return out;
    }

    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** An instant to the millisecond (boot events come fast), always three digits: one column width. */
    static String millis(JsonNode n) {
        try {
            return MILLIS.format(Instant.parse(n.asText()));
        } catch (DateTimeParseException e) {
            return Table.text(n);
        }
    }
}
