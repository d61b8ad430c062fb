package dev.anvil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code anvil networks}: list, show, create, delete ({@code /api/v1/networks}; no update route exists). */
@Command(
        name = "networks",
        description = "Networks: list, show, create, delete.",
        subcommands = {
            NetworksCommand.ListNetworks.class,
            NetworksCommand.Show.class,
            NetworksCommand.Create.class,
            NetworksCommand.Delete.class
        })
final class NetworksCommand extends Group {

    static String table(JsonNode networks) {
        Table t = new Table("name", "id", "cidr", "static range", "dhcp pool", "domain", "ipv6 prefix");
        for (JsonNode n : networks) {
            t.row(
                    n.path("name"),
                    n.path("id"),
                    n.path("cidr"),
                    n.path("staticRange"),
                    n.path("dhcpPool"),
                    n.path("domain"),
                    n.path("ipv6Prefix"));
        }
        return t.render();
    }

    static String show(JsonNode n) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", n.path("name"));
        f.put("id", n.path("id"));
        f.put("cidr", n.path("cidr"));
        f.put("static range", n.path("staticRange"));
        f.put("dhcp pool", n.path("dhcpPool"));
        f.put("router", n.path("router"));
        f.put("domain", n.path("domain"));
        f.put("v6prefix", n.path("v6prefix"));
        f.put("ipv6 prefix", n.path("ipv6Prefix"));
        f.put("server address", n.path("serverAddress"));
        f.put("proxy dhcp", n.path("proxyDhcp"));
        return Table.fields(f);
    }

    @Command(name = "list", description = "All networks, by id.")
    static final class ListNetworks extends Cmd implements Callable<Integer> {
        @Override
        public Integer call() {
            emit(api().get("/api/v1/networks"), NetworksCommand::table);
            return 0;
        }
    }

    @Command(name = "show", description = "One network.")
    static final class Show extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The network's name.")
        String name;

        @Override
        public Integer call() {
            emit(api().get("/api/v1/networks/" + Api.seg(name)), NetworksCommand::show);
            return 0;
        }
    }

    @Command(
            name = "create",
            description = "Creates a network (the fields of a config-file network: doc/configuration.md).")
    static final class Create extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The network's name.")
        String name;

        @Option(names = "--id", required = true, paramLabel = "N", description = "Its number (1-65535).")
        int id;

        @Option(names = "--cidr", required = true, paramLabel = "CIDR", description = "e.g. 10.20.0.0/24.")
        String cidr;

        @Option(
                names = "--static-range",
                required = true,
                paramLabel = "FIRST-LAST",
                description = "Where reserved addresses come from.")
        String staticRange;

        @Option(names = "--dhcp-pool", paramLabel = "FIRST-LAST", description = "Addresses for unknown machines.")
        String dhcpPool;

        @Option(names = "--router", paramLabel = "IPV4", description = "The default gateway handed out.")
        String router;

        @Option(names = "--domain", required = true, paramLabel = "DOMAIN", description = "Its DNS domain.")
        String domain;

        @Option(names = "--v6prefix", paramLabel = "auto|none|PREFIX", description = "Default auto.")
        String v6prefix;

        @Option(names = "--server-address", paramLabel = "IPV4", description = "Anvil's address on it.")
        String serverAddress;

        @Option(names = "--proxy-dhcp", description = "Answer only PXE clients (proxyDHCP).")
        boolean proxyDhcp;

        @Override
        public Integer call() {
            ObjectNode b =
                    body().put("name", name).put("id", id).put("cidr", cidr).put("staticRange", staticRange);
            putIf(b, "dhcpPool", dhcpPool);
            putIf(b, "router", router);
            b.put("domain", domain);
            putIf(b, "v6prefix", v6prefix);
            putIf(b, "serverAddress", serverAddress);
            if (proxyDhcp) {
                b.put("proxyDhcp", true);
            }
            emit(api().post("/api/v1/networks", b), NetworksCommand::show);
            return 0;
        }

        private static void putIf(ObjectNode b, String field, String value) {
            if (value != null) {
                b.put(field, value);
            }
        }
    }

    @Command(name = "delete", description = "Deletes a network no node has an address on (never the admin network).")
    static final class Delete extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The network's name.")
        String name;

        @Override
        public Integer call() {
            api().delete("/api/v1/networks/" + Api.seg(name));
            if (!json()) {
                out().println("deleted network " + name);
            }
            return 0;
        }
    }
}
