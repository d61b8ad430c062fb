package dev.anvil.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;

/** A command that only groups sub-commands ({@code anvil nodes}): alone, it prints its usage and is exit 2. */
abstract class Group extends Cmd implements Callable<Integer> {
    @Override
    public Integer call() {
        return usage(spec);
    }

    static int usage(CommandLine.Model.CommandSpec spec) {
        java.io.PrintWriter err = spec.commandLine().getErr();
        err.println("anvil: " + spec.qualifiedName() + " needs a command");
        spec.commandLine().usage(err);
        err.flush();
        return CliException.USAGE;
    }
}
