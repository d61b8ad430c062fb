package dev.anvil.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where the admin API's URL, the token and the daemon's state directory come from, first found wins (doc/cli.md,
 * "Configuration"): the flags ({@code --url}, {@code --token}, {@code --state-dir}), the environment
 * ({@code ANVIL_URL}, {@code ANVIL_TOKEN}, {@code ANVIL_STATE_DIR}), the file {@code cli.conf}
 * ({@code $XDG_CONFIG_HOME/anvil/cli.conf}, else {@code $HOME/.config/anvil/cli.conf}; keys {@code url},
 * {@code token}, {@code state-dir}), then the defaults: {@code http://127.0.0.1:8080} (anvild's default
 * {@code api.listen}), the token in {@code <stateDir>/admin-token} when this user may read it, and the state
 * directory {@code /var/lib/anvil} (the packaged daemon's). The certificates an {@code https://} API is checked
 * against come the same way ({@code --cacert}, {@code ANVIL_CACERT}, {@code cacert}), else the daemon's own
 * self-signed certificate {@code <stateDir>/tls/admin.crt} when this user may read it, else the JVM's trust
 * store. Pure: the environment and the files come in as arguments.
 */
record Settings(
        URI url,
        String urlSource,
        Optional<String> token,
        String tokenSource,
        Path stateDir,
        Optional<String> caPem,
        String caSource) {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";
    static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/anvil");
    static final Set<String> KEYS = Set.of("url", "token", "state-dir", "cacert");

    /** Settings without a CA file of their own (the JVM's trust store). */
    Settings(URI url, String urlSource, Optional<String> token, String tokenSource, Path stateDir) {
        this(url, urlSource, token, tokenSource, stateDir, Optional.empty(), "none");
    }

    /** The values given on the command line; null when absent. */
    record Flags(String url, String token, Path stateDir, Path cacert) {
        Flags(String url, String token, Path stateDir) {
            this(url, token, stateDir, null);
        }
    }

    /**
     * Resolves the settings. {@code read} reads a file, empty when it does not exist or cannot be read (the
     * admin token belongs to the daemon's user: another user simply does not find it).
     */
    static Settings resolve(Flags flags, Map<String, String> env, Function<Path, Optional<String>> read) {
        Optional<Path> confPath = confFile(env);
        Map<String, String> conf =
                confPath.flatMap(p -> read.apply(p).map(text -> parse(p, text))).orElse(Map.of());
        String where = confPath.map(Path::toString).orElse("cli.conf");

        String url = DEFAULT_URL;
        String urlSource = "default";
        if (flags.url() != null) {
            url = flags.url();
            urlSource = "--url";
        } else if (present(env.get("ANVIL_URL"))) {
            url = env.get("ANVIL_URL");
            urlSource = "ANVIL_URL";
        } else if (conf.containsKey("url")) {
            url = conf.get("url");
            urlSource = where;
        }

        Path stateDir = DEFAULT_STATE_DIR;
        if (flags.stateDir() != null) {
            stateDir = flags.stateDir();
        } else if (present(env.get("ANVIL_STATE_DIR"))) {
            stateDir = Path.of(env.get("ANVIL_STATE_DIR"));
        } else if (conf.containsKey("state-dir")) {
            stateDir = Path.of(conf.get("state-dir"));
        }

        Optional<String> token;
        String tokenSource;
        Path adminToken = stateDir.resolve("admin-token");
        if (flags.token() != null) {
            token = Optional.of(flags.token());
            tokenSource = "--token";
        } else if (present(env.get("ANVIL_TOKEN"))) {
            token = Optional.of(env.get("ANVIL_TOKEN"));
            tokenSource = "ANVIL_TOKEN";
        } else if (conf.containsKey("token")) {
            token = Optional.of(conf.get("token"));
            tokenSource = where;
        } else {
            token = read.apply(adminToken).map(String::strip).filter(t -> !t.isEmpty());
            tokenSource = token.isPresent() ? adminToken.toString() : "none";
        }
        URI uri = parseUrl(url, urlSource);

        Path ca = null;
        String caSource = "none";
        if (flags.cacert() != null) {
            ca = flags.cacert();
            caSource = "--cacert";
        } else if (present(env.get("ANVIL_CACERT"))) {
            ca = Path.of(env.get("ANVIL_CACERT"));
            caSource = "ANVIL_CACERT";
        } else if (conf.containsKey("cacert")) {
            ca = Path.of(conf.get("cacert"));
            caSource = where;
        }
        Optional<String> caPem;
        if (ca != null) {
            Path given = ca;
            String from = caSource;
            caPem = Optional.of(read.apply(given)
                    .orElseThrow(() -> new CliException(
                            CliException.USAGE,
                            "cannot read the CA certificate file " + given + " (from " + from + ")")));
            caSource = ca.toString();
        } else if ("https".equals(uri.getScheme())) {
            Path own = stateDir.resolve("tls").resolve("admin.crt");
            caPem = read.apply(own);
            caSource = caPem.isPresent() ? own.toString() : "none";
        } else {
            caPem = Optional.empty();
        }
        return new Settings(uri, urlSource, token.map(String::strip), tokenSource, stateDir, caPem, caSource);
    }

    /** Where the settings would have found a token, for the message when none was found. */
    String tokenHint() {
        return "give --token, set ANVIL_TOKEN, put token=... in cli.conf, or run as a user who may read "
                + stateDir.resolve("admin-token") + " (--state-dir, ANVIL_STATE_DIR)";
    }

    static Optional<Path> confFile(Map<String, String> env) {
        if (present(env.get("XDG_CONFIG_HOME"))) {
            return Optional.of(Path.of(env.get("XDG_CONFIG_HOME"), "anvil", "cli.conf"));
        }
        if (present(env.get("HOME"))) {
            return Optional.of(Path.of(env.get("HOME"), ".config", "anvil", "cli.conf"));
        }
        return Optional.empty();
    }

    /** {@code key = value} lines; {@code #} starts a comment line; blank lines are skipped. */
    static Map<String, String> parse(Path file, String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (eq < 0 || !KEYS.contains(key)) {
                throw new CliException(
                        CliException.USAGE,
                        file + " line " + (i + 1) + ": expected one of url=, token=, state-dir=, cacert= (got \"" + line
                                + "\")");
            }
            out.put(key, line.substring(eq + 1).strip());
        }
        return out;
    }

    static URI parseUrl(String url, String source) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        try {
            URI uri = new URI(u);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(u, "not an http:// or https:// URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new CliException(
                    CliException.USAGE,
                    "the API URL from " + source + " is not an http:// or https:// URL with a host: \"" + url
                            + "\" (e.g. http://127.0.0.1:8080)");
        }
    }

    /** Reads a file as UTF-8; empty when it is absent or unreadable. */
    static Optional<String> readFile(Path p) {
        try {
            return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}
