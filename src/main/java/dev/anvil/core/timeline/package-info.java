/**
 * The per-node boot timeline's vocabulary: {@link dev.anvil.core.timeline.TimelineEvent} (one protocol event,
 * immutable, bounded in size) and {@link dev.anvil.core.timeline.Timeline} (where protocol code reports one; a
 * no-op by default, so no caller needs a null check). Imports nothing of ours outside {@code dev.anvil.core}.
 */
package dev.anvil.core.timeline;
