package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code http:} section as written ({@code maxRequestBytes}: the older spelling of limits.maxBodyBytes). */
record HttpDraft(
        String listen,
        Integer maxRequestBytes,
        String installRoot,
        Boolean listDirectories,
        LimitsDraft limits,
        List<MountDraft> mounts) {
    /** What a prefix may hold: RFC 3986 path characters without percent-encoding. */
    private static final Pattern PREFIX = Pattern.compile("/([A-Za-z0-9._~!$&'()*+,;=:@-]+/)*");

    /** One entry of {@code http.mounts} as written. */
    record MountDraft(String prefix, String dir, Boolean listDirectories) {}

    HttpConfig validate() {
        List<Violation> v = new ArrayList<>();
        HostPort hp = null;
        try {
            hp = HostPort.parse(listen == null ? HttpConfig.DEFAULT_LISTEN.toString() : listen);
        } catch (IllegalArgumentException e) {
            v.add(new Violation("listen", e.getMessage()));
        }
        HttpLimits l = LimitsDraft.resolve(limits, maxRequestBytes, HttpLimits.BOOT, v);
        if (installRoot != null && installRoot.isBlank()) {
            v.add(new Violation("installRoot", "must not be empty"));
        }
        boolean list = listDirectories != null && listDirectories;
        List<HttpMount> ms = mounts(list, v);
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new HttpConfig(hp, Optional.ofNullable(installRoot).map(Path::of), list, l, ms);
    }

    private List<HttpMount> mounts(boolean list, List<Violation> v) {
        List<HttpMount> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; mounts != null && i < mounts.size(); i++) {
            String at = "mounts[" + i + "]";
            MountDraft m = mounts.get(i);
            if (m == null) {
                v.add(new Violation(at, "must be a mapping with prefix and dir"));
                continue;
            }
            String prefix = m.prefix() == null || m.prefix().endsWith("/") ? m.prefix() : m.prefix() + "/";
            String problem = prefixProblem(prefix);
            if (problem == null && !seen.add(prefix)) {
                problem = "'" + prefix + "' is mounted twice";
            }
            if (problem != null) {
                v.add(new Violation(at + ".prefix", problem));
            }
            if (m.dir() == null || m.dir().isBlank()) {
                v.add(new Violation(at + ".dir", "a directory is required"));
            } else if (problem == null) {
                out.add(new HttpMount(
                        prefix, Path.of(m.dir()), m.listDirectories() == null ? list : m.listDirectories()));
            }
        }
        return out;
    }

    /** Why {@code prefix} (ending in {@code /}) cannot be mounted, or null. */
    private static String prefixProblem(String prefix) {
        if (prefix == null) {
            return "a URL prefix is required, such as /images/ or /";
        }
        if (prefix.length() > 255 || !PREFIX.matcher(prefix).matches()) {
            return "'" + prefix + "' must be a path of up to 255 characters starting with /, with no empty, '.' or '..'"
                    + " segments and no percent-encoding";
        }
        for (String seg : prefix.split("/")) {
            if (seg.equals(".") || seg.equals("..")) {
                return "'" + prefix + "' has a dot segment";
            }
        }
        if (HttpConfig.BUILT_IN_PREFIXES.contains(prefix)) {
            return "'" + prefix + "' is built in (/boot/ serves tftp.root, /install/ serves http.installRoot)";
        }
        String first = prefix.length() > 1 ? prefix.substring(1, prefix.indexOf('/', 1)) : "";
        if (HttpConfig.ROUTED_SEGMENTS.contains(first)) {
            return "'" + prefix + "' lies under /" + first + "/, which the node-facing calls own";
        }
        return null;
    }
}
