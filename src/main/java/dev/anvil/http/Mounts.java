package dev.anvil.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The file mounts of a listener and which one a request path falls under: the longest matching prefix (so
 * {@code /boot/} wins over {@code /}), as nginx picks among prefix locations. Paths whose first segment the
 * listener's routes own ({@code routedSegments}, e.g. {@code /nodes/...}) never go to a mount, even one at
 * {@code /}: they reach the route handler.
 */
public final class Mounts {
    private final List<FileMount> longestFirst;
    private final Set<String> routedSegments;

    public Mounts(List<FileMount> mounts, Set<String> routedSegments) {
        List<FileMount> sorted = new ArrayList<>(mounts);
        sorted.sort(
                Comparator.comparingInt((FileMount m) -> m.prefix().length()).reversed());
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).prefix().equals(sorted.get(i - 1).prefix())) {
                throw new IllegalArgumentException(
                        "two mounts at " + sorted.get(i).prefix());
            }
        }
        this.longestFirst = List.copyOf(sorted);
        this.routedSegments = Set.copyOf(routedSegments);
    }

    public boolean isEmpty() {
        return longestFirst.isEmpty();
    }

    /** The mounts, longest prefix first. */
    public List<FileMount> all() {
        return longestFirst;
    }

    /** The mount a (still encoded) request path without its query falls under, or null: the routes take it. */
    public FileMount find(String rawPath) {
        int end = rawPath.indexOf('/', 1);
        String first = rawPath.length() < 1 ? "" : rawPath.substring(1, end < 0 ? rawPath.length() : end);
        if (routedSegments.contains(first)) {
            return null;
        }
        for (FileMount m : longestFirst) {
            if (m.matches(rawPath)) {
                return m;
            }
        }
        return null;
    }
}
