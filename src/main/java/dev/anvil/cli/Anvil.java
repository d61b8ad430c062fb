package dev.anvil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code anvil}: the top command, its options (inherited by every sub-command, so {@code anvil nodes list -o json}
 * works as well as {@code anvil -o json nodes list}) and the run: the settings are resolved and the API client
 * made on the first request, once; a {@link CliException} is printed as {@code anvil: message} on stderr and
 * becomes the exit code.
 */
@Command(
        name = "anvil",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = Anvil.Version.class,
        description = "The command-line client of anvild's admin API (doc/cli.md).",
        subcommands = {
            StatusCommand.class,
            NodesCommand.class,
            NetworksCommand.class,
            LeasesCommand.class,
            OsesCommand.class,
            TasksCommand.class,
            TokensCommand.class,
            TimelineCommand.class,
            AutoComplete.GenerateCompletion.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:the API refused (its message is shown) or a followed task failed",
            "2:usage: a wrong command line or cli.conf",
            "3:cannot reach anvild at the URL",
            "4:authentication: no token, an unknown or revoked one (401), or a read-only one on a change (403)"
        })
public final class Anvil implements java.util.concurrent.Callable<Integer> {
    /** Output formats: human tables, or the API's JSON for scripts. */
    enum Format {
        table,
        json
    }

    @Option(
            names = "--url",
            scope = ScopeType.INHERIT,
            paramLabel = "URL",
            description = "The admin API, e.g. http://127.0.0.1:8080 (else ANVIL_URL, cli.conf url=, the default).")
    String url;

    @Option(
            names = "--token",
            scope = ScopeType.INHERIT,
            paramLabel = "TOKEN",
            description = "The bearer token (else ANVIL_TOKEN, cli.conf token=, <state-dir>/admin-token). "
                    + "Visible to other users in ps: prefer ANVIL_TOKEN or cli.conf.")
    String token;

    @Option(
            names = "--state-dir",
            scope = ScopeType.INHERIT,
            paramLabel = "DIR",
            description = "anvild's state directory, where its admin-token is (else ANVIL_STATE_DIR, cli.conf "
                    + "state-dir=, /var/lib/anvil).")
    Path stateDir;

    @Option(
            names = "--cacert",
            scope = ScopeType.INHERIT,
            paramLabel = "FILE",
            description = "PEM certificate(s) an https:// API must present (else ANVIL_CACERT, cli.conf cacert=, "
                    + "<state-dir>/tls/admin.crt when readable, the JVM's trust store).")
    Path cacert;

    @Option(
            names = {"-o", "--output"},
            scope = ScopeType.INHERIT,
            paramLabel = "FORMAT",
            defaultValue = "table",
            description = "table (default) or json (the API's JSON, for scripts).")
    Format output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;
    private final Function<Path, java.util.Optional<String>> files;
    private final PrintWriter out;
    private final ObjectMapper json = new ObjectMapper();
    private Api api;

    Anvil(Map<String, String> env, Function<Path, java.util.Optional<String>> files, PrintWriter out) {
        this.env = env;
        this.files = files;
        this.out = out;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), Settings::readFile, out, err));
    }

    /** Runs one command line; returns the exit code. */
    static int run(
            String[] args,
            Map<String, String> env,
            Function<Path, java.util.Optional<String>> files,
            PrintWriter out,
            PrintWriter err) {
        CommandLine cl = new CommandLine(new Anvil(env, files, out));
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((e, args2) -> {
            err.println("anvil: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("(see " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            err.flush();
            return CliException.USAGE;
        });
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CliException c) {
                out.flush();
                err.println("anvil: " + c.getMessage());
                err.flush();
                return c.exitCode();
            }
            throw e;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** {@code anvil} alone: the usage on stderr, a usage error. */
    @Override
    public Integer call() {
        return Group.usage(spec);
    }

    /** The API client, made once, on the first request. */
    Api api() {
        if (api == null) {
            api = new Api(Settings.resolve(new Settings.Flags(url, token, stateDir, cacert), env, files), json);
        }
        return api;
    }

    boolean json() {
        return output == Format.json;
    }

    ObjectMapper mapper() {
        return json;
    }

    PrintWriter out() {
        return out;
    }

    /** Prints the API's JSON ({@code -o json}) or the human form of it. */
    void emit(JsonNode node, Function<JsonNode, String> human) {
        if (json()) {
            printJson(node);
        } else {
            out.print(human.apply(node));
        }
        out.flush();
    }

    void printJson(JsonNode node) {
        try {
            out.println(json.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    /** The version the distribution was built as ({@code anvil/version.properties} in its jar). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = Anvil.class.getClassLoader().getResourceAsStream("anvil/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // no version file: "unknown"
            }
            return new String[] {"anvil " + p.getProperty("version", "unknown")};
        }
    }
}
