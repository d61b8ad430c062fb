package dev.anvil.config;

import java.nio.file.Path;
import java.util.Optional;

/** The daemon's flags. Unknown flags and missing values are errors (exit 2), never ignored. */
public record CommandLine(
    Optional<Path> config,
    Optional<Path> checkConfig,
    Optional<Path> stateDir,
    Optional<HostPort> httpListen,
    Optional<HostPort> apiListen,
    boolean help,
    boolean version,
    Optional<ImportCommand> importCommand,
    boolean resetAdminToken) {

  /** {@code anvild import OS SOURCE}: lay out the install tree of OS from an ISO or directory, then exit. */
  public record ImportCommand(String os, java.nio.file.Path source) {}

  public static final String USAGE = """
      usage: anvild [--config FILE] [--state-dir DIR] [--api-listen ADDR:PORT] [--http-listen ADDR:PORT]
             anvild --check-config FILE
             anvild import OS SOURCE [--config FILE] [--state-dir DIR]
             anvild reset-admin-token [--config FILE] [--state-dir DIR]
             anvild --help | --version

        --config FILE          configuration file (YAML or JSON); without it the embedded default runs:
                               API on 127.0.0.1:8080, boot files on 127.0.0.1:8081, state under ./var,
                               one admin network 10.10.0.0/24
        --state-dir DIR        where the database lives (overrides stateDir)
        --api-listen A:P       admin API listen address (overrides api.listen); port 0 picks a free port
        --http-listen A:P      boot listener: boot files, install trees, per-node files and the node-facing
                               calls (overrides http.listen); port 0 picks a free port
        --check-config FILE    validate FILE, print the problems, exit 0 if valid and 2 if not
        import OS SOURCE       extract the ISO image (or copy the directory) SOURCE into the install tree of
                               OS (e.g. centos-stream-9), served at /install/OS/; replaces an earlier tree
        reset-admin-token      with the daemon stopped: revoke every admin API token and write a new one to
                               <stateDir>/admin-token (for a lost or leaked token)
      """;

  public static CommandLine parse(String... args) {
    Optional<Path> config = Optional.empty();
    Optional<Path> check = Optional.empty();
    Optional<Path> state = Optional.empty();
    Optional<HostPort> listen = Optional.empty();
    Optional<HostPort> apiListen = Optional.empty();
    boolean help = false;
    boolean version = false;
    Optional<ImportCommand> imp = Optional.empty();
    int start = 0;
    boolean reset = false;
    if (args.length > 0 && args[0].equals("reset-admin-token")) {
      reset = true;
      start = 1;
    } else if (args.length > 0 && args[0].equals("import")) {
      if (args.length < 3 || args[1].startsWith("-") || args[2].startsWith("-")) {
        throw new IllegalArgumentException("import needs OS and SOURCE");
      }
      imp = Optional.of(new ImportCommand(args[1], Path.of(args[2])));
      start = 3;
    }
    for (int i = start; i < args.length; i++) {
      String a = args[i];
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      switch (a) {
        case "--help", "-h" -> help = true;
        case "--version" -> version = true;
        case "--config", "--check-config", "--state-dir", "--http-listen", "--api-listen" -> {
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException(a + " needs a value");
            }
            value = args[++i];
          }
          switch (a) {
            case "--config" -> config = Optional.of(Path.of(value));
            case "--check-config" -> check = Optional.of(Path.of(value));
            case "--state-dir" -> state = Optional.of(Path.of(value));
            case "--api-listen" -> apiListen = Optional.of(parseListen(a, value));
            default -> listen = Optional.of(parseListen(a, value));
          }
        }
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    return new CommandLine(config, check, state, listen, apiListen, help, version, imp, reset);
  }

  private static HostPort parseListen(String flag, String value) {
    try {
      return HostPort.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + ": " + e.getMessage());
    }
  }
}
