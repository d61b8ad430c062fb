/**
 * Nodes and their life: {@link dev.anvil.core.node.Node} and its drafts and changes, the state machine ({@link
 * dev.anvil.core.node.Lifecycle}), versioned change events ({@link dev.anvil.core.node.NodeEvents}) and the in-
 * memory {@link dev.anvil.core.node.NodeDirectory} the packet paths read.
 */
package dev.anvil.core.node;
