package dev.anvil.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.install.InstallTokens;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeChange;
import dev.anvil.core.node.NodeService;
import dev.anvil.core.node.NodeState;
import dev.anvil.render.BootConfigs;
import dev.anvil.render.InstallFiles;
import io.netty.handler.codec.http.HttpMethod;
import java.util.function.Function;

/**
 * Per-node files rendered on request under {@code /nodes/{name or MAC}/}: the installer answer file
 * ({@code install.cfg}, and {@code user-data}/{@code meta-data}/{@code vendor-data} for cloud-init's NoCloud
 * source), {@code post-install.sh}, {@code boot.ipxe} and {@code grub.cfg}; and the install callback
 * {@code POST /api/v1/nodes/{name}/install-complete} with the node's single-use token.
 */
public final class NodeFileRoutes {
  private static final String TEXT = "text/plain; charset=utf-8";

  private final Function<String, Node> find;
  private final NodeService nodes;
  private final InstallFiles installFiles;
  private final BootConfigs bootConfigs;
  private final InstallTokens tokens;
  private final Json json;

  public NodeFileRoutes(Function<String, Node> find, NodeService nodes, InstallFiles installFiles,
      BootConfigs bootConfigs, InstallTokens tokens, Json json) {
    this.find = find;
    this.nodes = nodes;
    this.installFiles = installFiles;
    this.bootConfigs = bootConfigs;
    this.tokens = tokens;
    this.json = json;
  }

  public void register(Router r) {
    r.add(HttpMethod.GET, "/nodes/{id}/install.cfg", req -> answerFile(find.apply(req.param("id"))));
    r.add(HttpMethod.GET, "/nodes/{id}/user-data", req -> answerFile(find.apply(req.param("id"))));
    r.add(HttpMethod.GET, "/nodes/{id}/meta-data", req -> {
      Node n = find.apply(req.param("id"));
      return ApiResponse.text("instance-id: " + n.name() + "\nlocal-hostname: " + n.name().split("\\.", 2)[0]
          + "\n", TEXT);
    });
    r.add(HttpMethod.GET, "/nodes/{id}/vendor-data", req -> {
      find.apply(req.param("id"));
      return ApiResponse.text("", TEXT);
    });
    r.add(HttpMethod.GET, "/nodes/{id}/post-install.sh",
        req -> ApiResponse.text(installFiles.postInstall(find.apply(req.param("id"))), "text/x-shellscript"));
    r.add(HttpMethod.GET, "/nodes/{id}/boot.ipxe",
        req -> ApiResponse.text(bootConfigs.forNode(find.apply(req.param("id")), "pxe/boot.ipxe.mustache"), TEXT));
    r.add(HttpMethod.GET, "/nodes/{id}/grub.cfg",
        req -> ApiResponse.text(bootConfigs.forNode(find.apply(req.param("id")), "pxe/grub.cfg.mustache"), TEXT));
    r.add(HttpMethod.POST, "/api/v1/nodes/{id}/install-complete", this::installComplete);
  }

  private ApiResponse answerFile(Node n) {
    String family = installFiles.installEnv(n).flatMap(e -> e.osFamily()).orElse("");
    String type = switch (family) {
      case "suse" -> "application/xml";
      case "ubuntu" -> "text/cloud-config; charset=utf-8";
      default -> TEXT;
    };
    return ApiResponse.text(installFiles.installConfig(n), type);
  }

  /** The token is the only credential: wrong, reused or expired gets 403 and nothing changes. */
  private ApiResponse installComplete(ApiRequest req) {
    Node n = find.apply(req.param("id"));
    JsonNode body = json.read(req.body(), JsonNode.class);
    JsonNode t = body.path("token");
    if (!t.isTextual()) {
      throw ApiException.badRequest("body must be {\"token\": \"...\"}", "token");
    }
    if (!tokens.consume(n, t.asText())) {
      throw ApiException.forbidden("install token for " + n.name() + " is wrong, used or expired");
    }
    nodes.update(n.name(), NodeChange.none().withBootEnv(BootEnvironments.LOCAL).withState(NodeState.INSTALLED));
    return ApiResponse.noContent();
  }
}
