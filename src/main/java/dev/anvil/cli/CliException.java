package dev.anvil.cli;

/** A failure the CLI reports as one line on stderr with its exit code (doc/cli.md, "Exit codes"); no stack trace. */
final class CliException extends RuntimeException {
    /** The daemon answered and refused (a 4xx other than 401/403, a 5xx), or a followed task failed. */
    static final int REFUSED = 1;
    /** The command line is wrong (picocli's usage errors are 2 too). */
    static final int USAGE = 2;
    /** The daemon could not be reached: connection refused, timeout, TLS failure, not an Anvil API. */
    static final int UNREACHABLE = 3;
    /** The API refused the token: 401 (none, unknown, revoked) or 403 (a read-only token on a change). */
    static final int AUTH = 4;

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
