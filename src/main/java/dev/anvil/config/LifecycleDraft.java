package dev.anvil.config;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The {@code lifecycle:} section as written. */
record LifecycleDraft(
        String discoveredName,
        Integer maxTasks,
        Integer taskTimeoutSeconds,
        Integer taskAttempts,
        Integer retryBackoffSeconds,
        String sshUser,
        Integer sshPort,
        Integer sshConnectTimeoutMillis,
        Integer aliveIntervalSeconds,
        Integer rebootDelaySeconds,
        List<RuleDraft> autoInstall) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

    record RuleDraft(String os, Map<String, String> when) {}

    LifecycleConfig validate() {
        LifecycleConfig d = LifecycleConfig.defaults();
        List<Violation> v = new ArrayList<>();
        String pattern = discoveredName == null ? d.discoveredName() : discoveredName;
        String sample = pattern.replace("{mac}", "52-54-00-12-34-56");
        if (!pattern.contains("{mac}") || !LABEL.matcher(sample).matches() || sample.length() > 63) {
            v.add(new Violation("discoveredName", "must be one DNS label holding {mac}, e.g. d{mac}"));
        }
        Drafts.range(v, "maxTasks", maxTasks, 1, 10_000);
        Drafts.range(v, "taskTimeoutSeconds", taskTimeoutSeconds, 1, 86_400);
        Drafts.range(v, "taskAttempts", taskAttempts, 1, 100);
        Drafts.range(v, "retryBackoffSeconds", retryBackoffSeconds, 0, 3600);
        Drafts.range(v, "sshPort", sshPort, 1, 65535);
        Drafts.range(v, "sshConnectTimeoutMillis", sshConnectTimeoutMillis, 100, 120_000);
        Drafts.range(v, "aliveIntervalSeconds", aliveIntervalSeconds, 0, 86_400);
        Drafts.range(v, "rebootDelaySeconds", rebootDelaySeconds, 1, 600);
        if (sshUser != null && !sshUser.matches("[a-z_][a-z0-9_-]{0,31}")) {
            v.add(new Violation("sshUser", "\"" + sshUser + "\" is not a user name"));
        }
        List<LifecycleConfig.AutoInstall> rules = new ArrayList<>();
        if (autoInstall != null) {
            for (int i = 0; i < autoInstall.size(); i++) {
                RuleDraft r = autoInstall.get(i);
                if (r == null || r.os() == null || r.os().isBlank()) {
                    v.add(new Violation("autoInstall[" + i + "].os", "is required"));
                    continue;
                }
                Map<String, String> when = r.when() == null ? Map.of() : r.when();
                for (String k : when.keySet()) {
                    if (!k.startsWith("/")) {
                        v.add(new Violation(
                                "autoInstall[" + i + "].when",
                                "\"" + k + "\" is not a JSON pointer such as " + "/dmi/vendor"));
                    }
                }
                rules.add(new LifecycleConfig.AutoInstall(r.os(), when));
            }
        }
        if (!v.isEmpty()) {
            throw new InvalidInputException(v);
        }
        return new LifecycleConfig(
                pattern,
                or(maxTasks, d.maxTasks()),
                taskTimeoutSeconds == null ? d.taskTimeout() : Duration.ofSeconds(taskTimeoutSeconds),
                or(taskAttempts, d.taskAttempts()),
                retryBackoffSeconds == null ? d.retryBackoff() : Duration.ofSeconds(retryBackoffSeconds),
                sshUser == null ? d.sshUser() : sshUser,
                or(sshPort, d.sshPort()),
                sshConnectTimeoutMillis == null ? d.sshConnectTimeout() : Duration.ofMillis(sshConnectTimeoutMillis),
                aliveIntervalSeconds == null ? d.aliveInterval() : Duration.ofSeconds(aliveIntervalSeconds),
                rebootDelaySeconds == null ? d.rebootDelay() : Duration.ofSeconds(rebootDelaySeconds),
                rules);
    }

    private static int or(Integer v, int d) {
        return v == null ? d : v;
    }
}
