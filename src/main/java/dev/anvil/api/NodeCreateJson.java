package dev.anvil.api;

import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/nodes}. {@code addresses} maps network names to a pinned IPv4 address or
 * {@code "auto"}; without it the node joins the admin network with the next free address.
 */
public record NodeCreateJson(
        String name,
        List<String> macs,
        Map<String, String> addresses,
        String bootEnv,
        String targetOs,
        Boolean available) {}
