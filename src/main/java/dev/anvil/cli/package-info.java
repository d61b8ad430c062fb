/**
 * {@code anvil}, the operator's command-line client of the admin API ({@code bin/anvil}, doc/cli.md): picocli
 * commands ({@link dev.anvil.cli.Anvil} and its sub-commands), where the URL and token come from
 * ({@link dev.anvil.cli.Settings}), the API client ({@link dev.anvil.cli.Api}, over the small HTTP/1.1 client
 * {@link dev.anvil.cli.Http1}: {@code java.net.http} cost each run ~0.3 s of start-up) that turns every
 * failure into a message and an exit code ({@link dev.anvil.cli.CliException}), and the human tables
 * ({@link dev.anvil.cli.Table}). A client only: it imports nothing else of ours (no store, no protocol, no
 * configuration classes; {@code ArchitectureTest} checks it) and talks to the daemon over HTTP alone, so it runs on
 * any machine that reaches the admin API. Nothing of the daemon imports it.
 */
package dev.anvil.cli;
