/**
 * The HTTP API on two listeners. The admin API: {@link dev.anvil.api.BearerAccess} decides who may ask
 * (401/403/415) before {@link dev.anvil.api.Router} routes, then the {@code *Routes} classes (status, tokens,
 * networks, nodes, leases, boot environments, OSes, the lifecycle's operator side), the live change stream
 * {@link dev.anvil.api.EventStreams} ({@code /api/v1/events}, a service with bounded streams) and the
 * dashboard's files {@link dev.anvil.api.DashboardRoutes} (the only admin paths open without a token; they
 * hold no data). The boot listener: {@link dev.anvil.api.Access#nodes()} lets everyone in, and each
 * node-facing route checks what it serves on its own: {@link dev.anvil.api.NodeOrigin} (the request comes from
 * the node itself), install tokens, {@link dev.anvil.api.DiscoveryGate} (rate limits and the cap on machines
 * never admitted). Routes turn JSON into core calls and core values into the {@code *Json} records;
 * {@link dev.anvil.api.ApiHandler} maps every outcome to a status, never a stack trace.
 */
package dev.anvil.api;
