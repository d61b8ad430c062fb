/**
 * The application layer: the use cases the REST API, the CLI, the dashboard and the node callbacks all go through
 * ({@link dev.anvil.app.NodeService}: every node write, versioned and published; {@link
 * dev.anvil.app.Provisioning}: discover, install, install-complete, redeploy; {@link dev.anvil.app.InstallTokens};
 * {@link dev.anvil.app.AutoPolicy}; {@link dev.anvil.app.ConfiguredNetworks}: the configuration's networks into
 * the store at start; {@link dev.anvil.app.NodeSync}: another instance's node changes, read back from a shared
 * store, published as this instance's node events). Imports the core, the store interfaces and the
 * configuration; never a protocol, the API or a store backend (ArchitectureTest).
 */
package dev.anvil.app;
