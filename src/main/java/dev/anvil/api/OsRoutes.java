package dev.anvil.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.os.OsTrees;
import dev.anvil.store.TaskStore;
import dev.anvil.tasks.ImportQueue;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code /api/v1/oses}: the OSes Anvil can install and whether their trees are in place;
 * {@code POST /api/v1/oses/{name}/import} queues an import task that lays a tree out from an ISO or directory
 * on the admin node (202 with the task; {@code GET /api/v1/tasks/{id}} follows it).
 */
public final class OsRoutes {
    private final OsTrees trees;
    private final ImportQueue imports;
    private final Function<TaskStore.Task, Object> show;
    private final Json json;
    private final List<Path> roots;

    /**
     * {@code show}: a task as JSON; {@code roots}: the only directories an import through the API may read
     * from.
     */
    public OsRoutes(ImportQueue imports, Function<TaskStore.Task, Object> show, Json json, List<Path> roots) {
        this.trees = imports.trees();
        this.imports = imports;
        this.show = show;
        this.json = json;
        this.roots = List.copyOf(roots);
    }

    public void register(Router r) {
        r.add(
                HttpMethod.GET,
                "/api/v1/oses",
                req -> ApiResponse.ok(trees.list().stream().map(OsRoutes::show).toList()));
        r.add(HttpMethod.GET, "/api/v1/oses/{name}", req -> ApiResponse.ok(show(trees.info(req.param("name")))));
        r.add(HttpMethod.POST, "/api/v1/oses/{name}/import", req -> {
            JsonNode body = json.read(req.body(), JsonNode.class);
            JsonNode source = body.path("source");
            if (!source.isTextual() || source.asText().isBlank()) {
                throw ApiException.badRequest(
                        "body must be {\"source\": \"/path/to/image.iso or directory\"}", "source");
            }
            Path p = Path.of(source.asText());
            if (!p.isAbsolute()) {
                throw ApiException.badRequest("source must be an absolute path on the admin node", "source");
            }
            p = confined(p);
            TaskStore.Task t;
            try {
                t = imports.submit(req.param("name"), p);
            } catch (IllegalStateException stopping) {
                throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, stopping.getMessage(), null);
            }
            return ApiResponse.accepted(show.apply(t), "/api/v1/tasks/" + t.id());
        });
    }

    /**
     * The source with every symlink resolved, when it lies in one of the import roots; a 400 naming the roots
     * otherwise (a missing file is a 400 too, without saying more about the admin node's files).
     */
    private Path confined(Path source) {
        String allowed = "source must be in an import root ("
                + roots.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", "))
                + "; install.importRoots adds more)";
        Path real;
        try {
            real = source.toRealPath();
        } catch (java.io.IOException e) {
            if (roots.stream().anyMatch(r -> source.normalize().startsWith(r))) {
                throw ApiException.badRequest(source + " does not exist", "source");
            }
            throw ApiException.badRequest(allowed, "source");
        }
        for (Path r : roots) {
            try {
                if (real.startsWith(r.toRealPath()) && !real.equals(r.toRealPath())) {
                    return real;
                }
            } catch (java.io.IOException missingRoot) {
                // a root that does not exist holds nothing
            }
        }
        throw ApiException.badRequest(allowed, "source");
    }

    static Map<String, Object> show(OsTrees.OsInfo o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", o.name());
        m.put("family", o.family());
        m.put("installEnv", o.installEnv());
        m.put("url", "/install/" + o.name() + "/");
        m.put("tree", o.tree().toString());
        m.put("imported", o.imported());
        m.put("kernel", o.kernel().orElse(null));
        m.put("initrd", o.initrd().orElse(null));
        m.put("missing", o.missing());
        return m;
    }
}
