package dev.anvil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code anvil status}: {@code GET /api/v1/status}; the version, uptime, store, nodes by state and services. */
@Command(name = "status", description = "The daemon's version, uptime, store, node counts and services.")
final class StatusCommand extends Cmd implements Callable<Integer> {
    @Override
    public Integer call() {
        emit(api().get("/api/v1/status"), StatusCommand::human);
        return 0;
    }

    static String human(JsonNode s) {
        StringBuilder out = new StringBuilder();
        out.append("anvild ")
                .append(Table.text(s.path("version")))
                .append(", up ")
                .append(Table.duration(s.path("uptimeSeconds").asLong()))
                .append('\n');
        JsonNode store = s.path("store");
        out.append("store: ")
                .append(Table.text(store.path("backend")))
                .append(store.path("ok").asBoolean() ? " ok" : " FAILING: " + Table.text(store.path("detail")))
                .append('\n');
        out.append("instance: ").append(Table.text(s.path("instance")));
        if (s.has("peers")) {
            // a shared store (PostgreSQL): the other instances whose heartbeat is recent
            List<String> peers = new ArrayList<>();
            s.path("peers").forEach(p -> peers.add(p.path("id").asText()));
            out.append(", live peers: ").append(peers.isEmpty() ? "none" : String.join(", ", peers));
        }
        out.append('\n');
        List<String> byState = new ArrayList<>();
        s.path("nodes")
                .path("byState")
                .fields()
                .forEachRemaining(
                        e -> byState.add(e.getKey() + " " + e.getValue().asLong()));
        out.append("nodes: ")
                .append(s.path("nodes").path("total").asLong())
                .append(" (")
                .append(String.join(", ", byState))
                .append(")\n\n");
        Table t = new Table("service", "state");
        s.path("services")
                .fields()
                .forEachRemaining(e -> t.row(e.getKey(), e.getValue().path("state")));
        return out.append(t.render()).toString();
    }
}
