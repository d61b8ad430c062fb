package dev.anvil.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The daemon's flags and sub-commands, parsed by picocli. Unknown flags and missing values are errors
 * (exit 2), never ignored.
 */
public record CommandLine(
        Optional<Path> config,
        Optional<Path> checkConfig,
        Optional<Path> stateDir,
        Optional<HostPort> httpListen,
        Optional<HostPort> apiListen,
        boolean help,
        boolean version,
        Optional<ImportCommand> importCommand,
        boolean resetAdminToken,
        boolean migrateStore) {

    /** {@code anvild import OS SOURCE}: lay out the install tree of OS from an ISO or directory, then exit. */
    public record ImportCommand(String os, java.nio.file.Path source) {}

    /** The flags every command takes (picocli fills them; {@link #parse} turns them into the record). */
    @Command(
            name = "anvild",
            sortOptions = false,
            usageHelpWidth = 110,
            description =
                    "The Anvil network-boot daemon: DHCP, TFTP, DNS, HTTP and the provisioning API in one process.",
            subcommands = {Import.class, ResetAdminToken.class, MigrateStore.class},
            footer = {
                "",
                "Without --config the embedded default runs: API on 127.0.0.1:8080, boot files on 127.0.0.1:8081,",
                "state under ./var, one admin network 10.10.0.0/24."
            })
    static final class Flags {
        @Option(
                names = "--config",
                paramLabel = "FILE",
                scope = ScopeType.INHERIT,
                description = "configuration file (YAML or JSON)")
        Path config;

        @Option(
                names = "--state-dir",
                paramLabel = "DIR",
                scope = ScopeType.INHERIT,
                description = "where the database lives (overrides stateDir)")
        Path stateDir;

        @Option(
                names = "--api-listen",
                paramLabel = "ADDR:PORT",
                converter = HostPortConverter.class,
                description = "admin API listen address (overrides api.listen); port 0 picks a free port")
        HostPort apiListen;

        @Option(
                names = "--http-listen",
                paramLabel = "ADDR:PORT",
                converter = HostPortConverter.class,
                description = "boot listener: boot files, install trees, per-node files and the node-facing calls "
                        + "(overrides http.listen); port 0 picks a free port")
        HostPort httpListen;

        @Option(
                names = "--check-config",
                paramLabel = "FILE",
                description = "validate FILE, print the problems, exit 0 if valid and 2 if not")
        Path checkConfig;

        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "show this help and exit")
        boolean help;

        @Option(names = "--version", versionHelp = true, description = "show the version and exit")
        boolean version;
    }

    @Command(
            name = "import",
            description = "extract the ISO image (or copy the directory) SOURCE into the install "
                    + "tree of OS (e.g. centos-stream-9), served at /install/OS/; replaces an earlier tree, then exits")
    static final class Import {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "show this help and exit")
        boolean help;

        @Parameters(index = "0", paramLabel = "OS")
        String os;

        @Parameters(index = "1", paramLabel = "SOURCE")
        Path source;
    }

    @Command(
            name = "reset-admin-token",
            description = "with the daemon stopped: revoke every admin API token and "
                    + "write a new one to <stateDir>/admin-token (for a lost or leaked token)")
    static final class ResetAdminToken {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "show this help and exit")
        boolean help;
    }

    @Command(
            name = "migrate-store",
            description = "with the daemon stopped: copy the H2 store in <stateDir> into the empty PostgreSQL "
                    + "database of the configuration's store: section (row counts verified)")
    static final class MigrateStore {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "show this help and exit")
        boolean help;
    }

    static final class HostPortConverter implements picocli.CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return HostPort.parse(value);
        }
    }

    /** Parses the arguments; a mistake throws {@link IllegalArgumentException} with picocli's words. */
    public static CommandLine parse(String... args) {
        Flags f = new Flags();
        picocli.CommandLine cmd = new picocli.CommandLine(f);
        ParseResult r;
        try {
            r = cmd.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Optional<ImportCommand> imp = Optional.empty();
        boolean reset = false;
        boolean migrate = false;
        boolean help = r.isUsageHelpRequested();
        if (r.subcommand() != null) {
            ParseResult sub = r.subcommand();
            help |= sub.isUsageHelpRequested();
            if (sub.commandSpec().userObject() instanceof Import i) {
                imp = Optional.of(new ImportCommand(i.os, i.source));
            } else if (sub.commandSpec().userObject() instanceof MigrateStore) {
                migrate = true;
            } else {
                reset = true;
            }
        }
        return new CommandLine(
                Optional.ofNullable(f.config),
                Optional.ofNullable(f.checkConfig),
                Optional.ofNullable(f.stateDir),
                Optional.ofNullable(f.httpListen),
                Optional.ofNullable(f.apiListen),
                help,
                r.isVersionHelpRequested(),
                imp,
                reset,
                migrate);
    }

    /** The usage text picocli makes from the flags above. */
    public static String usage() {
        StringWriter out = new StringWriter();
        new picocli.CommandLine(new Flags()).usage(new PrintWriter(out));
        return out.toString();
    }
}
