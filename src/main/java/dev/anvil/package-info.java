/**
 * The daemon: {@link dev.anvil.Launcher} is {@code anvild}'s entry point (flags, sub-commands, signals);
 * {@link dev.anvil.Anvild} builds the object graph (the only place that wires, with its assemblies
 * {@code Foundation}, {@code Protocols}, {@code Operations} and {@code Listeners}: no policy here), starts and
 * stops it; {@link dev.anvil.EarlyDhcp} answers DHCP from the start-up snapshot before the store is open. May
 * import every package.
 */
package dev.anvil;
