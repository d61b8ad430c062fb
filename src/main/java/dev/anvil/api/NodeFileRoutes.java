package dev.anvil.api;

import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.render.BootConfigs;
import dev.anvil.render.InstallFiles;
import io.netty.handler.codec.http.HttpMethod;
import java.util.function.Function;

/**
 * Per-node files rendered on request under {@code /nodes/{name or MAC}/}: the installer answer file
 * ({@code install.cfg}, and {@code user-data}/{@code meta-data}/{@code vendor-data} for cloud-init's NoCloud
 * source), {@code post-install.sh}, {@code boot.ipxe} and {@code grub.cfg}.
 */
public final class NodeFileRoutes {
  private static final String TEXT = "text/plain; charset=utf-8";

  private final Function<String, Node> find;
  private final InstallFiles installFiles;
  private final BootConfigs bootConfigs;
  private final java.util.function.Consumer<Node> onAnswerFileServed;

  /** {@code onAnswerFileServed}: the installer is running (the lifecycle moves the node to installing). */
  public NodeFileRoutes(Function<String, Node> find, InstallFiles installFiles, BootConfigs bootConfigs,
      java.util.function.Consumer<Node> onAnswerFileServed) {
    this.find = find;
    this.installFiles = installFiles;
    this.bootConfigs = bootConfigs;
    this.onAnswerFileServed = onAnswerFileServed;
  }

  public void register(Router r) {
    r.add(HttpMethod.GET, "/nodes/{id}/install.cfg", req -> answerFile(req));
    r.add(HttpMethod.GET, "/nodes/{id}/user-data", req -> answerFile(req));
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
    r.add(HttpMethod.GET, "/nodes/{id}/boot.ipxe", req -> bootConfig(req.param("id"), "pxe/boot.ipxe.mustache"));
    r.add(HttpMethod.GET, "/nodes/{id}/grub.cfg", req -> bootConfig(req.param("id"), "pxe/grub.cfg.mustache"));
  }

  /** By MAC even for a machine Anvil does not know yet (it gets the discovery boot); by name for nodes. */
  private ApiResponse bootConfig(String id, String template) {
    try {
      MacAddress mac = MacAddress.parse(id);
      return ApiResponse.text(bootConfigs.forMac(mac, template), TEXT);
    } catch (IllegalArgumentException notAMac) {
      return ApiResponse.text(bootConfigs.forNode(find.apply(id), template), TEXT);
    }
  }

  /** A GET means the installer is running; a HEAD (someone looking) changes nothing. */
  private ApiResponse answerFile(ApiRequest req) {
    Node n = find.apply(req.param("id"));
    String family = installFiles.installEnv(n).flatMap(e -> e.osFamily()).orElse("");
    String type = switch (family) {
      case "suse" -> "application/xml";
      case "ubuntu" -> "text/cloud-config; charset=utf-8";
      default -> TEXT;
    };
    String text = installFiles.installConfig(n);
    if (req.method().equals(HttpMethod.GET)) {
      onAnswerFileServed.accept(n);
    }
    return ApiResponse.text(text, type);
  }

}
