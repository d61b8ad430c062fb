package dev.anvil.api;

import dev.anvil.core.NotFoundException;
import dev.anvil.core.node.MacAddress;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeState;
import dev.anvil.core.timeline.Timeline;
import dev.anvil.core.timeline.TimelineEvent.Source;
import dev.anvil.render.BootConfigs;
import dev.anvil.render.InstallFiles;
import io.netty.handler.codec.http.HttpMethod;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-node files rendered on request under {@code /nodes/{name or MAC}/}, on the boot listener: the installer
 * answer file ({@code install.cfg}, and {@code user-data}/{@code meta-data}/{@code vendor-data} for
 * cloud-init's NoCloud source), {@code post-install.sh}, {@code boot.ipxe} and {@code grub.cfg}.
 *
 * <p>The answer files and the post-install script carry the node's install token, so they go only to the node
 * itself ({@link NodeOrigin}) and only while it is being installed (install-pending or installing); anyone else
 * gets the same 404 as for a node that does not exist, with the reason in the log. Serving a file never
 * changes a node: the installer reports its progress through the token callbacks.
 */
public final class NodeFileRoutes {
    private static final String TEXT = "text/plain; charset=utf-8";

    private static final Logger log = LoggerFactory.getLogger(NodeFileRoutes.class);
    private static final Set<NodeState> INSTALLING = EnumSet.of(NodeState.INSTALL_PENDING, NodeState.INSTALLING);

    private final Function<String, Node> find;
    private final InstallFiles installFiles;
    private final BootConfigs bootConfigs;
    private final NodeOrigin origin;
    private final Timeline timeline;

    /** {@code timeline}: each file served or refused is reported to the node's boot timeline. */
    public NodeFileRoutes(
            Function<String, Node> find,
            InstallFiles installFiles,
            BootConfigs bootConfigs,
            NodeOrigin origin,
            Timeline timeline) {
        this.timeline = timeline;
        this.find = find;
        this.installFiles = installFiles;
        this.bootConfigs = bootConfigs;
        this.origin = origin;
    }

    public void register(Router r) {
        r.add(HttpMethod.GET, "/nodes/{id}/install.cfg", req -> answerFile(req));
        r.add(HttpMethod.GET, "/nodes/{id}/user-data", req -> answerFile(req));
        r.add(HttpMethod.GET, "/nodes/{id}/meta-data", req -> {
            Node n = installing(req);
            return ApiResponse.text(
                    served(
                            n.id(),
                            req,
                            "instance-id: " + n.name() + "\nlocal-hostname: "
                                    + n.name().split("\\.", 2)[0] + "\n"),
                    TEXT);
        });
        r.add(HttpMethod.GET, "/nodes/{id}/vendor-data", req -> {
            return ApiResponse.text(served(installing(req).id(), req, ""), TEXT);
        });
        r.add(HttpMethod.GET, "/nodes/{id}/post-install.sh", req -> {
            Node n = installing(req);
            return ApiResponse.text(
                    served(n.id(), req, installFiles.postInstall(n, v6server(req))), "text/x-shellscript");
        });
        r.add(HttpMethod.GET, "/nodes/{id}/boot.ipxe", req -> bootConfig(req, "pxe/boot.ipxe.mustache"));
        r.add(HttpMethod.GET, "/nodes/{id}/grub.cfg", req -> bootConfig(req, "pxe/grub.cfg.mustache"));
    }

    /**
     * The IPv6 address a request reached when it came over IPv6: the URLs in what it gets name that address, so a
     * node without IPv4 can follow them.
     */
    static java.util.Optional<java.net.Inet6Address> v6server(ApiRequest req) {
        return bootClient(req).v6Server();
    }

    /** Both ends of the request, as the boot configs rendered for it need them. */
    static dev.anvil.core.boot.BootClient bootClient(ApiRequest req) {
        return new dev.anvil.core.boot.BootClient(
                req.remote().getAddress(),
                java.util.Optional.ofNullable(req.local()).map(java.net.InetSocketAddress::getAddress));
    }

    /** {@code body}, once reported to the boot timeline of the node it was rendered for. */
    private String served(long nodeId, ApiRequest req, String body) {
        timeline.forNode(nodeId, Source.HTTP, "GET 200", "path=" + req.path() + " bytes=" + utf8Length(body));
        return body;
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** By MAC even for a machine Anvil does not know yet (it gets the discovery boot); by name for nodes. */
    private ApiResponse bootConfig(ApiRequest req, String template) {
        String id = req.param("id");
        MacAddress mac;
        try {
            mac = MacAddress.parse(id);
        } catch (IllegalArgumentException notAMac) {
            Node n = find.apply(id);
            return ApiResponse.text(
                    served(n.id(), req, bootConfigs.forNode(n, template, Optional.of(bootClient(req)))), TEXT);
        }
        String body = bootConfigs.forMac(mac, template, Optional.of(bootClient(req)));
        timeline.forMac(mac, null, Source.HTTP, "GET 200", "path=" + req.path() + " bytes=" + utf8Length(body));
        return ApiResponse.text(body, TEXT);
    }

    /**
     * The node the request names, when the request comes from that node and the node is being installed; else
     * the 404 of an unknown node (nothing tells a prober whether the node exists), the reason logged.
     */
    private Node installing(ApiRequest req) {
        Node n = find.apply(req.param("id"));
        String why = !INSTALLING.contains(n.state())
                ? "it is " + n.state().wireName() + ", not being installed"
                : !origin.isFrom(n, req.remote().getAddress())
                        ? "the request comes from "
                                + dev.anvil.core.net.ClientAddress.format(
                                        req.remote().getAddress()) + ", not from the node"
                        : null;
        if (why != null) {
            log.info("refused {} of node {}: {}", req.path(), n.name(), why);
            timeline.forNode(n.id(), Source.HTTP, "GET 404", "path=" + req.path() + " refused: " + why);
            throw new NotFoundException("no node " + req.param("id"));
        }
        return n;
    }

    private ApiResponse answerFile(ApiRequest req) {
        Node n = installing(req);
        String family = installFiles.installEnv(n).flatMap(e -> e.osFamily()).orElse("");
        String type = switch (family) {
            case "suse" -> "application/xml";
            case "ubuntu" -> "text/cloud-config; charset=utf-8";
            default -> TEXT;
        };
        return ApiResponse.text(served(n.id(), req, installFiles.installConfig(n, v6server(req))), type);
    }
}
