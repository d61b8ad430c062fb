/**
 * The TFTP transport: the listener, one connected socket per transfer, retransmission timers, the jailed file tree
 * and generated files.
 */
package dev.anvil.tftp.server;
