/**
 * The daemon: {@link dev.anvil.Anvild} builds the object graph (the only place that wires), starts and stops it;
 * {@link dev.anvil.EarlyDhcp} answers DHCP from the start-up snapshot before the store is open. May import every
 * package.
 */
package dev.anvil;
