package dev.anvil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code anvil leases}: {@code GET /api/v1/leases}, the DHCP server's leases by address. */
@Command(name = "leases", description = "The DHCP leases, by address.")
final class LeasesCommand extends Cmd implements Callable<Integer> {
    @Override
    public Integer call() {
        emit(api().get("/api/v1/leases"), LeasesCommand::human);
        return 0;
    }

    static String human(JsonNode leases) {
        Table t = new Table("ip", "mac", "network", "state", "expires");
        for (JsonNode l : leases) {
            t.row(l.path("ip"), l.path("mac"), l.path("network"), l.path("state"), Table.when(l.path("expires")));
        }
        return t.render();
    }
}
