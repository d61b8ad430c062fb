/**
 * The boot decision: {@link dev.anvil.core.boot.BootPlanner} turns a node, the server address and what the client
 * said ({@link dev.anvil.core.boot.ClientFacts}) into one {@link dev.anvil.core.boot.BootPlan} that DHCP, TFTP,
 * HTTP and the templates translate; boot environments, client architectures, and {@link
 * dev.anvil.core.boot.GeneratedFiles} (the port through which TFTP and HTTP ask for rendered boot configs).
 */
package dev.anvil.core.boot;
