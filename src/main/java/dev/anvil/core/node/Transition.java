package dev.anvil.core.node;

import java.util.Optional;

/** A change to a node recorded in its history: what happened ({@code event}), who or what did it, why. */
public record Transition(NodeChange change, String event, String actor, Optional<String> reason) {}
