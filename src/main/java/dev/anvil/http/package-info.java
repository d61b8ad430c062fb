/**
 * The HTTP transport: {@link dev.anvil.http.HttpService} (one netty listener; Anvil runs the boot listener
 * with file mounts and the admin listener, optionally over TLS from {@link dev.anvil.http.Tls}),
 * {@link dev.anvil.http.FileHandler} (files on the event loop: ranges, validators, sendfile, confinement
 * through {@link dev.anvil.http.FileMount}) and the hand-off of aggregated requests with the client's socket
 * address to a {@link dev.anvil.http.RequestHandler} off the event loop.
 */
package dev.anvil.http;
