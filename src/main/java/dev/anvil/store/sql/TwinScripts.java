package dev.anvil.store.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * Flyway's scripts for one backend: every script of the shared folder ({@code db/}), each replaced by the
 * script of the same file name in the backend's folder ({@code db-postgresql/}) when there is one. Flyway alone
 * cannot do that: two locations holding one version are refused as a duplicate.
 */
final class TwinScripts implements ResourceProvider {
    private final Map<String, Script> byName;

    private TwinScripts(Map<String, Script> byName) {
        this.byName = byName;
    }

    static TwinScripts load(ClassLoader loader, String shared, String twins) {
        Map<String, Script> byName = new TreeMap<>();
        for (String name : list(loader, shared)) {
            byName.put(name, new Script(loader, shared, name));
        }
        for (String name : list(loader, twins)) {
            if (!byName.containsKey(name)) {
                throw new IllegalStateException(twins + "/" + name + " is no twin: " + shared + "/ has no " + name);
            }
            byName.put(name, new Script(loader, twins, name));
        }
        return new TwinScripts(byName);
    }

    /** The file names directly in a class path folder, from a directory or a jar. */
    static List<String> list(ClassLoader loader, String folder) {
        URL url = loader.getResource(folder);
        if (url == null) {
            return List.of();
        }
        try {
            if ("file".equals(url.getProtocol())) {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    return files.filter(Files::isRegularFile)
                            .map(f -> f.getFileName().toString())
                            .sorted()
                            .toList();
                }
            }
            if ("jar".equals(url.getProtocol())) {
                JarURLConnection jar = (JarURLConnection) url.openConnection();
                jar.setUseCaches(false);
                List<String> out = new ArrayList<>();
                try (JarFile file = jar.getJarFile()) {
                    String prefix = folder + "/";
                    for (JarEntry e : java.util.Collections.list(file.entries())) {
                        String n = e.getName();
                        if (!e.isDirectory() && n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0) {
                            out.add(n.substring(prefix.length()));
                        }
                    }
                }
                out.sort(null);
                return out;
            }
            throw new IllegalStateException("cannot list " + folder + " in " + url);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + url + ": " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot list " + url + ": " + e.getMessage(), e);
        }
    }

    @Override
    public LoadableResource getResource(String name) {
        return byName.get(name.substring(name.lastIndexOf('/') + 1));
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        List<LoadableResource> out = new ArrayList<>();
        for (Script s : byName.values()) {
            if (s.name.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(s.name::endsWith)) {
                out.add(s);
            }
        }
        return out;
    }

    private static final class Script extends LoadableResource {
        private final ClassLoader loader;
        private final String folder;
        private final String name;

        Script(ClassLoader loader, String folder, String name) {
            this.loader = loader;
            this.folder = folder;
            this.name = name;
        }

        @Override
        public Reader read() {
            InputStream in = loader.getResourceAsStream(folder + "/" + name);
            if (in == null) {
                throw new IllegalStateException("no class path resource " + folder + "/" + name);
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public String getAbsolutePath() {
            return folder + "/" + name;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return getAbsolutePath();
        }

        @Override
        public String getFilename() {
            return name;
        }

        @Override
        public String getRelativePath() {
            return name;
        }
    }
}
