package dev.anvil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code anvil oses}: the OSes and whether their install trees are in place; import one (a task). */
@Command(
        name = "oses",
        description = "OS install trees: list, show, import.",
        subcommands = {OsesCommand.ListOses.class, OsesCommand.Show.class, OsesCommand.Import.class})
final class OsesCommand extends Group {

    static String show(JsonNode o) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", o.path("name"));
        f.put("family", o.path("family"));
        f.put("imported", o.path("imported"));
        f.put("install env", o.path("installEnv"));
        f.put("url", o.path("url"));
        f.put("tree", o.path("tree"));
        f.put("kernel", o.path("kernel"));
        f.put("initrd", o.path("initrd"));
        f.put("missing", o.path("missing"));
        return Table.fields(f);
    }

    @Command(name = "list", description = "Every OS with an installer boot environment.")
    static final class ListOses extends Cmd implements Callable<Integer> {
        @Override
        public Integer call() {
            emit(api().get("/api/v1/oses"), oses -> {
                Table t = new Table("name", "family", "imported", "install env", "missing");
                oses.forEach(o -> t.row(
                        o.path("name"), o.path("family"), o.path("imported"), o.path("installEnv"), o.path("missing")));
                return t.render();
            });
            return 0;
        }
    }

    @Command(name = "show", description = "One OS: its tree, kernel and initrd, and what is missing.")
    static final class Show extends Cmd implements Callable<Integer> {
        @Parameters(paramLabel = "OS", description = "e.g. debian-12.")
        String os;

        @Override
        public Integer call() {
            emit(api().get("/api/v1/oses/" + Api.seg(os)), OsesCommand::show);
            return 0;
        }
    }

    @Command(
            name = "import",
            description = "Imports an OS tree from an ISO image or a directory on the admin node, in an import root "
                    + "(<stateDir>/import, install.importRoots). A task: --wait follows it.")
    static final class Import extends Cmd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "OS", description = "e.g. debian-12 (anvil oses list).")
        String os;

        @Parameters(
                index = "1",
                paramLabel = "ISO|DIR",
                description = "Its path on the admin node; a relative one is taken from the current directory.")
        Path source;

        @Option(names = "--wait", description = "Follow the import until it ends; exit 1 if it fails.")
        boolean waitForIt;

        @Override
        public Integer call() {
            JsonNode task = api().post(
                            "/api/v1/oses/" + Api.seg(os) + "/import",
                            body().put(
                                            "source",
                                            source.toAbsolutePath().normalize().toString()));
            if (waitForIt) {
                return new TaskWatch(root()).follow(task);
            }
            emit(task, TasksCommand::queued);
            return 0;
        }
    }
}
