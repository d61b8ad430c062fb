/**
 * Templates (Mustache) for boot configs and answer files; {@link dev.anvil.render.BootConfigs} spells a BootPlan
 * out, {@link dev.anvil.render.InstallFiles} renders kickstart, preseed, autoinstall and AutoYaST files. Imports
 * the core and the application layer, never a protocol.
 */
package dev.anvil.render;
