package dev.anvil.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The provisioning lifecycle: discovered names, the task queue, SSH to nodes, aliveness, the auto-policy.
 *
 * @param discoveredName the name of a machine the discovery image registers ({@code {mac}}: its MAC with
 *     dashes), in the admin network's domain
 * @param maxTasks how many tasks run at once across all nodes (one per node at most)
 * @param taskTimeout how long one attempt of a task may take
 * @param taskAttempts attempts before a task fails
 * @param retryBackoff the wait before the first retry, doubled each further attempt
 * @param sshUser who Anvil logs in as (root: the answer files give root the admin key)
 * @param sshPort the nodes' SSH port
 * @param sshConnectTimeout connect and login timeout
 * @param aliveInterval how often installed and ready nodes are checked (ping + SSH); zero: never
 * @param rebootDelay how far ahead a reboot is scheduled on the node, so the SSH session closes cleanly
 * @param autoInstall rules "a discovered node whose inventory matches gets this OS", first match wins
 */
public record LifecycleConfig(
        String discoveredName,
        int maxTasks,
        Duration taskTimeout,
        int taskAttempts,
        Duration retryBackoff,
        String sshUser,
        int sshPort,
        Duration sshConnectTimeout,
        Duration aliveInterval,
        Duration rebootDelay,
        List<AutoInstall> autoInstall) {

    /** An auto-policy rule: every JSON pointer in {@code when} must hold exactly the given text. */
    public record AutoInstall(String os, Map<String, String> when) {
        public AutoInstall {
            when = Map.copyOf(when);
        }
    }

    public LifecycleConfig {
        autoInstall = List.copyOf(autoInstall);
    }

    public static LifecycleConfig defaults() {
        return new LifecycleConfig(
                "d{mac}",
                10,
                Duration.ofMinutes(5),
                3,
                Duration.ofSeconds(5),
                "root",
                22,
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                Duration.ofSeconds(3),
                List.of());
    }
}
