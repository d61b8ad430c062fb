/**
 * The HTTP transport: {@link dev.anvil.http.HttpService} (one netty listener; Anvil runs the boot listener
 * with file mounts and the admin listener, optionally over TLS from {@link dev.anvil.http.Tls}),
 * {@link dev.anvil.http.FileHandler} (files on the event loop: ranges, validators, sendfile, confinement
 * through {@link dev.anvil.http.FileMount}) and the hand-off of aggregated requests with the client's socket
 * address to a {@link dev.anvil.http.RequestHandler} off the event loop; a handler may answer a
 * {@link dev.anvil.http.StreamResponse} (server-sent events), whose body it then writes through an
 * {@link dev.anvil.http.EventSink} (a {@link dev.anvil.http.ChannelSink}: one chunk per send, its unsent backlog
 * counted). Each listener bounds its clients
 * ({@code http.limits}, {@code api.limits}): {@link dev.anvil.http.ConnectionLimiter} (connections overall and per
 * address), {@link dev.anvil.http.ConnectionTimers} (the header, body, send and idle timeouts as a pure state
 * machine), {@link dev.anvil.http.LimitHandler} (applies both, answers 408/414/431) and
 * {@link dev.anvil.http.LimitCounters} (a counter and a rate-limited log line per {@link dev.anvil.http.Refusal}).
 */
package dev.anvil.http;
