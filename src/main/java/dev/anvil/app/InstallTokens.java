package dev.anvil.app;

import dev.anvil.core.boot.BootEnvironments;
import dev.anvil.core.node.Node;
import dev.anvil.core.node.NodeEvent;
import dev.anvil.core.node.NodeState;
import dev.anvil.store.InstallTokenStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-node install tokens for the installer's callbacks: single use, expiring. The store keeps only a
 * random nonce per node; the token is HMAC-SHA256(key, node id + nonce), recomputed whenever an answer file
 * is rendered, so no token sits in the database, and without the key (a 0600 file in the state directory,
 * never in the store) the database alone yields none. The token is bound to the node's stable id: renaming a
 * node during its install does not break its callback. Arming a node (a new nonce) makes every earlier token
 * of it useless; a successful install-complete removes the nonce, so a token works once.
 */
public final class InstallTokens {
    private final InstallTokenStore store;
    private final byte[] key;
    private final Clock clock;
    private final Duration ttl;
    private final RandomGenerator random;

    public InstallTokens(InstallTokenStore store, byte[] key, Clock clock, Duration ttl, RandomGenerator random) {
        if (key.length < 16) {
            throw new IllegalArgumentException("install token key too short");
        }
        this.store = store;
        this.key = key.clone();
        this.clock = clock;
        this.ttl = ttl;
        this.random = random;
    }

    /** A new random key, hex-encoded, for the key file. */
    public static String newKey(RandomGenerator random) {
        byte[] k = new byte[32];
        random.nextBytes(k);
        return HexFormat.of().formatHex(k);
    }

    /**
     * The node-event listener that arms a fresh token whenever a node is sent to an installer: its boot
     * environment changed to one with an install template, or it entered install-pending (also again after a
     * failure); whatever an earlier install was given dies. Another instance's change ({@link NodeEvent#remote()})
     * arms nothing here: that instance armed the node's token in the shared store, and arming again would kill it.
     */
    public Consumer<NodeEvent> armingOn(BootEnvironments envs) {
        return e -> {
            if (e.remote()) {
                return;
            }
            boolean installer = e.after().isPresent()
                    && envs.get(e.after().get().bootEnv())
                            .flatMap(b -> b.installTemplate())
                            .isPresent();
            boolean enteredPending =
                    e.after().map(a -> a.state() == NodeState.INSTALL_PENDING).orElse(false)
                            && e.before()
                                    .map(b -> b.state() != NodeState.INSTALL_PENDING)
                                    .orElse(true);
            if (installer && (e.kind() == NodeEvent.Kind.BOOT_ENV_CHANGED || enteredPending)) {
                arm(e.after().get());
            }
        };
    }

    /** Issues a fresh token for the node, invalidating any earlier one. */
    public synchronized String arm(Node node) {
        byte[] n = new byte[16];
        random.nextBytes(n);
        String nonce = HexFormat.of().formatHex(n);
        store.put(node.id(), new InstallTokenStore.Armed(nonce, clock.instant().plus(ttl)));
        return token(node, nonce);
    }

    /** The node's live token, arming one if it has none or it expired. */
    public synchronized String current(Node node) {
        Optional<InstallTokenStore.Armed> a = store.get(node.id());
        if (a.isPresent() && a.get().expiresAt().isAfter(clock.instant())) {
            return token(node, a.get().nonce());
        }
        return arm(node);
    }

    /** Checks and uses up the token; false (and nothing changes) when it is wrong, used or expired. */
    public boolean consume(Node node, String presented) {
        Optional<InstallTokenStore.Armed> a = live(node, presented);
        return a.isPresent() && store.consume(node.id(), a.get().nonce());
    }

    /** Whether the token is the node's live one, without using it up. */
    public boolean matches(Node node, String presented) {
        return live(node, presented).isPresent();
    }

    private Optional<InstallTokenStore.Armed> live(Node node, String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        Optional<InstallTokenStore.Armed> a = store.get(node.id());
        if (a.isEmpty() || !a.get().expiresAt().isAfter(clock.instant())) {
            return Optional.empty();
        }
        byte[] expected = token(node, a.get().nonce()).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.US_ASCII)) ? a : Optional.empty();
    }

    private String token(Node node, String nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] h = mac.doFinal((node.id() + "\n" + nonce).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(h);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
