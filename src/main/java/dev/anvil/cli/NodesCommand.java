package dev.anvil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code anvil nodes}: list, show, create, delete, the lifecycle actions (install, redeploy, reboot), the
 * {@code available} flag and the history. {@code NODE} is a name (a short one gets the admin network's domain) or
 * a MAC, as in the API's {@code /api/v1/nodes/{name-or-mac}}.
 */
@Command(
        name = "nodes",
        description = "Nodes: list, show, create, delete, install, redeploy, reboot, available, history.",
        subcommands = {
            NodesCommand.ListNodes.class,
            NodesCommand.Show.class,
            NodesCommand.Create.class,
            NodesCommand.Delete.class,
            NodesCommand.Install.class,
            NodesCommand.Redeploy.class,
            NodesCommand.Reboot.class,
            NodesCommand.PowerOff.class,
            NodesCommand.Available.class,
            NodesCommand.History.class
        })
final class NodesCommand extends Group {

    static String path(String node) {
        return "/api/v1/nodes/" + Api.seg(node);
    }

    static String table(JsonNode nodes) {
        Table t = new Table("name", "macs", "ipv4", "state", "boot env", "alive", "available", "power");
        for (JsonNode n : nodes) {
            List<String> v4 = new ArrayList<>();
            n.path("addresses").forEach(a -> v4.add(a.path("ipv4").asText()));
            t.row(
                    n.path("name"),
                    n.path("macs"),
                    v4.isEmpty() ? null : String.join(",", v4),
                    n.path("state"),
                    n.path("bootEnv"),
                    n.path("alive"),
                    n.path("available"),
                    power(n.path("power")));
        }
        return t.render();
    }

    /**
     * The node's power as its BMC last told it: {@code on}, {@code off}, or the error's kind in capitals ({@code
     * UNREACHABLE}) when the BMC did not answer; {@code -} without a reading (no BMC, or not asked yet).
     */
    static String power(JsonNode p) {
        if (p.isNull() || p.isMissingNode()) {
            return "-";
        }
        String error = p.path("error").asText("");
        if (!error.isEmpty()) {
            int colon = error.indexOf(':');
            return (colon > 0 ? error.substring(0, colon) : error).toUpperCase(java.util.Locale.ROOT);
        }
        return Table.text(p.path("state"));
    }

    static String show(JsonNode n) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", n.path("name"));
        f.put("state", n.path("state"));
        f.put("macs", n.path("macs"));
        f.put("boot env", n.path("bootEnv"));
        f.put("target os", n.path("targetOs"));
        f.put("alive", n.path("alive"));
        f.put("available", n.path("available"));
        JsonNode p = n.path("power");
        if (!p.isNull() && !p.isMissingNode()) {
            String error = p.path("error").asText("");
            f.put(
                    "power",
                    error.isEmpty()
                            ? Table.text(p.path("state")) + " at " + Table.when(p.path("at"))
                            : "BMC " + error + " (at " + Table.when(p.path("at")) + "; last known: "
                                    + Table.text(p.path("state")) + ")");
        }
        f.put("created", Table.when(n.path("createdAt")));
        f.put("updated", Table.when(n.path("updatedAt")));
        List<String> keys = new ArrayList<>();
        n.path("hostKeys")
                .forEach(k -> keys.add(
                        k.path("type").asText() + " " + k.path("fingerprint").asText()));
        f.put("host keys", keys.isEmpty() ? "- (not pinned)" : String.join(", ", keys));
        JsonNode mm = n.path("hostKeyMismatch");
        if (!mm.isNull() && !mm.isMissingNode()) {
            f.put(
                    "HOST KEY MISMATCH",
                    Table.text(mm.path("type")) + " " + Table.text(mm.path("fingerprint")) + " since "
                            + Table.when(mm.path("since")));
        }
        StringBuilder out = new StringBuilder(Table.fields(f));
        Table a = new Table("network", "ipv4", "ipv6");
        n.path("addresses").forEach(x -> a.row(x.path("network"), x.path("ipv4"), x.path("ipv6")));
        return out.append('\n').append(a.render()).toString();
    }

    @Command(name = "list", description = "All nodes, in creation order.")
    static final class ListNodes extends Cmd implements Callable<Integer> {
        @Option(names = "--state", paramLabel = "STATE", description = "Only nodes in this state.")
        String state;

        @Option(names = "--boot-env", paramLabel = "ENV", description = "Only nodes with this boot environment.")
        String bootEnv;

        @Override
        public Integer call() {
            List<String> q = new ArrayList<>();
            if (state != null) {
                q.add("state=" + URLEncoder.encode(state, StandardCharsets.UTF_8));
            }
            if (bootEnv != null) {
                q.add("bootEnv=" + URLEncoder.encode(bootEnv, StandardCharsets.UTF_8));
            }
            emit(api().get("/api/v1/nodes" + (q.isEmpty() ? "" : "?" + String.join("&", q))), NodesCommand::table);
            return 0;
        }
    }

    @Command(name = "show", description = "One node: state, MACs, addresses, boot environment, host keys.")
    static final class Show extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NODE", description = "A node name or MAC.")
        String node;

        @Override
        public Integer call() {
            emit(api().get(path(node)), NodesCommand::show);
            return 0;
        }
    }

    @Command(name = "create", description = "Registers a node by hand (discovery registers booting machines itself).")
    static final class Create extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "Host name; a short one gets the admin network's domain.")
        String name;

        @Option(
                names = "--mac",
                required = true,
                paramLabel = "MAC",
                description = "A MAC address of the node (repeat for several).")
        List<String> macs;

        @Option(
                names = "--address",
                paramLabel = "NETWORK=IPV4",
                description = "A reserved address on a network, an IPv4 address or auto (repeat for several; "
                        + "default: auto on the admin network).")
        Map<String, String> addresses;

        @Option(names = "--boot-env", paramLabel = "ENV", description = "Boot environment (default sledgehammer).")
        String bootEnv;

        @Option(names = "--target-os", paramLabel = "OS", description = "The OS to install.")
        String targetOs;

        @Option(names = "--unavailable", description = "Create it with available=false.")
        boolean unavailable;

        @Override
        public Integer call() {
            ObjectNode b = body();
            b.put("name", name);
            macs.forEach(b.putArray("macs")::add);
            if (addresses != null) {
                ObjectNode a = b.putObject("addresses");
                addresses.forEach(a::put);
            }
            if (bootEnv != null) {
                b.put("bootEnv", bootEnv);
            }
            if (targetOs != null) {
                b.put("targetOs", targetOs);
            }
            if (unavailable) {
                b.put("available", false);
            }
            emit(api().post("/api/v1/nodes", b), NodesCommand::show);
            return 0;
        }
    }

    @Command(name = "delete", description = "Deletes a node (its addresses are freed).")
    static final class Delete extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NODE", description = "A node name or MAC.")
        String node;

        @Override
        public Integer call() {
            api().delete(path(node));
            if (!json()) {
                out().println("deleted node " + node);
            }
            return 0;
        }
    }

    @Command(name = "install", description = "Installs an OS on the node: it moves to install-pending and reboots.")
    static final class Install extends Cmd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NODE", description = "A node name or MAC.")
        String node;

        @Parameters(index = "1", paramLabel = "OS", description = "The OS, e.g. debian-12 (anvil oses list).")
        String os;

        @Override
        public Integer call() {
            emit(api().post(path(node) + "/actions/install", body().put("os", os)), NodesCommand::show);
            return 0;
        }
    }

    @Command(
            name = "redeploy",
            description =
                    "Sends the node back to discovery (sledgehammer); a node with a BMC is restarted into it through "
                            + "the BMC, another is not rebooted.")
    static final class Redeploy extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NODE", description = "A node name or MAC.")
        String node;

        @Override
        public Integer call() {
            emit(api().post(path(node) + "/actions/redeploy", body()), NodesCommand::show);
            return 0;
        }
    }

    @Command(
            name = "power-off",
            description = "Queues a power-off through the node's BMC (runs once the node is available).")
    static final class PowerOff extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NODE", description = "A node name or MAC.")
        String node;

        @Option(names = "--wait", description = "Follow the task until it ends; exit 1 if it fails.")
        boolean waitForIt;

        @Override
        public Integer call() {
            JsonNode task = api().post(path(node) + "/actions/power-off", body());
            if (waitForIt) {
                return new TaskWatch(root()).follow(task);
            }
            emit(task, TasksCommand::queued);
            return 0;
        }
    }

    @Command(
            name = "reboot",
            description = "Queues a reboot task: through the node's BMC when it has one (next boot PXE once, then power"
                    + " cycle or on), else over SSH (runs once the node is alive and available).")
    static final class Reboot extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NODE", description = "A node name or MAC.")
        String node;

        @Option(names = "--wait", description = "Follow the task until it ends; exit 1 if it fails.")
        boolean waitForIt;

        @Override
        public Integer call() {
            JsonNode task = api().post(path(node) + "/actions/reboot", body());
            if (waitForIt) {
                return new TaskWatch(root()).follow(task);
            }
            emit(task, TasksCommand::queued);
            return 0;
        }
    }

    @Command(name = "available", description = "Sets the node's available flag (its tasks run only while it is set).")
    static final class Available extends Cmd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NODE", description = "A node name or MAC.")
        String node;

        @Parameters(index = "1", paramLabel = "true|false", description = "The new value.", arity = "1")
        boolean available;

        @Override
        public Integer call() {
            emit(api().patch(path(node), body().put("available", available)), NodesCommand::show);
            return 0;
        }
    }

    @Command(name = "history", description = "Every state change of the node, oldest first.")
    static final class History extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "NODE", description = "A node name or MAC.")
        String node;

        @Override
        public Integer call() {
            emit(api().get(path(node) + "/history"), h -> {
                Table t = new Table("at", "from", "to", "event", "actor", "reason");
                h.forEach(e -> t.row(
                        Table.when(e.path("at")),
                        e.path("from"),
                        e.path("to"),
                        e.path("event"),
                        e.path("actor"),
                        e.path("reason")));
                return t.render();
            });
            return 0;
        }
    }
}
