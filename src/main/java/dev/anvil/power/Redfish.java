package dev.anvil.power;

import dev.anvil.core.power.Bmc;
import dev.anvil.core.power.BmcAccess;
import dev.anvil.core.power.BootDevice;
import dev.anvil.core.power.OffMode;
import dev.anvil.core.power.PowerDriver;
import dev.anvil.core.power.PowerException;
import dev.anvil.core.power.PowerException.Kind;
import dev.anvil.core.power.PowerState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redfish (DMTF DSP0266) over HTTPS with {@code java.net.http}: the {@code ComputerSystem} found from the service
 * root ({@code /redfish/v1} → {@code Systems} → its first member) unless the node names it ({@link Bmc#system()}),
 * its {@code PowerState}, {@code #ComputerSystem.Reset} with a reset type the BMC allows, and the boot override
 * ({@code PATCH Boot}). HTTP Basic authentication on every request; TLS as {@link RedfishTls} decides.
 *
 * <p>Each call runs in a {@link PowerSlots} slot and is bounded as a whole by {@code callTimeout} (every request of
 * it gets what remains, the connection {@code connectTimeout}): a BMC that stops mid-answer is {@link
 * Kind#TIMED_OUT} when that runs out, and holds its slot no longer. The password is only ever in the {@code
 * Authorization} header: never logged, never in a message.
 */
public final class Redfish implements PowerDriver {
    private static final Logger log = LoggerFactory.getLogger(Redfish.class);

    public static final String NAME = Bmc.REDFISH;
    public static final String SERVICE_ROOT = "/redfish/v1";
    /** A Redfish document is a few kilobytes; more than this is refused. */
    static final int MAX_BODY = 1 << 20;

    private final Duration connectTimeout;
    private final Duration callTimeout;
    private final PowerSlots slots;
    private final RedfishTls tls;
    private final RedfishJson json = new RedfishJson();
    /** One client per TLS policy ({@link RedfishTls#policy}): its connections are reused across calls. */
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    public Redfish(Duration connectTimeout, Duration callTimeout, PowerSlots slots, RedfishTls tls) {
        this.connectTimeout = connectTimeout;
        this.callTimeout = callTimeout;
        this.slots = slots;
        this.tls = tls;
    }

    /** 5 s to connect, 20 s per call (as {@link IpmiTool#standard}), the JDK's trust store. */
    public static Redfish standard(PowerSlots slots) {
        return new Redfish(Duration.ofSeconds(5), Duration.ofSeconds(20), slots, RedfishTls.jdk());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PowerState status(BmcAccess bmc) {
        return slots.run(() -> {
            Call c = new Call(bmc);
            return json.system(c.get(c.systemPath()).body()).state();
        });
    }

    @Override
    public void on(BmcAccess bmc) {
        reset(bmc, List.of("On"), "on");
    }

    @Override
    public void off(BmcAccess bmc, OffMode mode) {
        if (mode == OffMode.SOFT) {
            reset(bmc, List.of("GracefulShutdown"), "soft-off");
        } else {
            reset(bmc, List.of("ForceOff"), "off");
        }
    }

    @Override
    public void cycle(BmcAccess bmc) {
        reset(bmc, List.of("PowerCycle", "ForceRestart"), "cycle");
    }

    @Override
    public void setNextBoot(BmcAccess bmc, BootDevice device, boolean once) {
        slots.run(() -> {
            Call c = new Call(bmc);
            String path = c.systemPath();
            Reply got = c.get(path);
            RedfishJson.ComputerSystem sys = json.system(got.body());
            if (sys.boot().isEmpty()) {
                throw new PowerException(Kind.UNSUPPORTED, "the system at " + path + " has no Boot settings");
            }
            String target = RedfishJson.bootTarget(device);
            Optional<List<String>> allowed = sys.allowedBootTargets();
            if (allowed.isPresent() && !allowed.get().contains(target)) {
                throw new PowerException(
                        Kind.UNSUPPORTED,
                        "the BMC does not allow boot override target " + target + "; it allows "
                                + RedfishJson.cut(String.join(", ", allowed.get())));
            }
            byte[] body = json.bootBody(
                    device, once, sys.hasBootMode() ? Optional.of(bmc.bmc().uefi()) : Optional.empty());
            c.send("PATCH", path, body, got.etag());
            RedfishJson.ComputerSystem after = json.system(c.get(path).body());
            String enabled = once ? "Once" : "Continuous";
            if (!after.boot("BootSourceOverrideTarget").equals(Optional.of(target))
                    || !after.boot("BootSourceOverrideEnabled").equals(Optional.of(enabled))) {
                throw new PowerException(
                        Kind.FAILED,
                        "the BMC took the boot override " + target + " " + enabled + " but reports "
                                + after.boot("BootSourceOverrideTarget").orElse("no target") + " "
                                + after.boot("BootSourceOverrideEnabled").orElse("-"));
            }
            return null;
        });
    }

    private void reset(BmcAccess bmc, List<String> wanted, String action) {
        slots.run(() -> {
            Call c = new Call(bmc);
            String path = c.systemPath();
            RedfishJson.ComputerSystem sys = json.system(c.get(path).body());
            String target = sys.resetTarget()
                    .orElseThrow(() -> new PowerException(
                            Kind.UNSUPPORTED, "the system at " + path + " has no " + RedfishJson.RESET_ACTION));
            Optional<List<String>> allowed = sys.allowedResets();
            if (allowed.isEmpty() && sys.resetActionInfo().isPresent()) {
                allowed = json.actionInfoResetTypes(
                        c.get(sys.resetActionInfo().get()).body());
            }
            String type = RedfishJson.resetType(wanted, allowed, action);
            c.send("POST", target, json.resetBody(type), Optional.empty());
            return null;
        });
    }

    private HttpClient client(Bmc bmc) {
        return clients.computeIfAbsent(
                RedfishTls.policy(bmc),
                p -> HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .sslContext(tls.context(p))
                        .build());
    }

    /** An answer: its status, ETag and body. */
    record Reply(int status, Optional<String> etag, byte[] body) {}

    /** One driver call: its BMC, its deadline, its requests. */
    private final class Call {
        private final Bmc bmc;
        private final String authorization;
        private final HttpClient client;
        private final long deadline;

        Call(BmcAccess access) {
            this.bmc = access.bmc();
            this.authorization = "Basic "
                    + Base64.getEncoder()
                            .encodeToString(
                                    (bmc.user() + ":" + access.secret().reveal()).getBytes(StandardCharsets.UTF_8));
            this.client = client(bmc);
            this.deadline = System.nanoTime() + callTimeout.toNanos();
        }

        /** The node's system path, or the service root's first system. */
        String systemPath() {
            if (bmc.system().isPresent()) {
                return bmc.system().get();
            }
            String systems = json.systemsPath(get(SERVICE_ROOT).body());
            return json.firstMember(get(systems).body());
        }

        Reply get(String path) {
            return send("GET", path, null, Optional.empty());
        }

        Reply send(String method, String path, byte[] body, Optional<String> ifMatch) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw timedOut(method, path);
            }
            Duration left = Duration.ofNanos(remaining);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://" + bmc.endpoint() + path))
                    .timeout(left)
                    .header("Authorization", authorization)
                    .header("Accept", "application/json")
                    .header("OData-Version", "4.0");
            if (body == null) {
                b.GET();
            } else {
                b.header("Content-Type", "application/json");
                ifMatch.ifPresent(e -> b.header("If-Match", e));
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            }
            long t0 = System.nanoTime();
            CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(b.build(), info -> new Limited(MAX_BODY));
            HttpResponse<byte[]> r;
            try {
                r = f.get(remaining, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw timedOut(method, path);
            } catch (InterruptedException e) {
                f.cancel(true);
                Thread.currentThread().interrupt();
                throw new PowerException(Kind.FAILED, "interrupted while calling the BMC at " + bmc.endpoint());
            } catch (ExecutionException e) {
                throw failure(method, path, e.getCause());
            }
            log.debug(
                    "redfish {} {}{}: HTTP {} in {} ms",
                    method,
                    bmc.endpoint(),
                    path,
                    r.statusCode(),
                    (System.nanoTime() - t0) / 1_000_000);
            Reply reply = new Reply(r.statusCode(), r.headers().firstValue("ETag"), r.body());
            check(method, path, reply);
            return reply;
        }

        private void check(String method, String path, Reply r) {
            int s = r.status();
            if (s >= 200 && s < 300) {
                return;
            }
            String what = method + " " + path + " on the BMC at " + bmc.endpoint() + ": HTTP " + s
                    + json.errorText(r.body()).map(t -> " (" + t + ")").orElse("");
            if (s == 401 || s == 403) {
                throw new PowerException(Kind.AUTH_FAILED, "user " + bmc.user() + " refused: " + what);
            }
            if (s == 405 || s == 501 || (s == 400 && json.unsupported(r.body()))) {
                throw new PowerException(Kind.UNSUPPORTED, what);
            }
            throw new PowerException(Kind.FAILED, what);
        }

        private PowerException timedOut(String method, String path) {
            return new PowerException(
                    Kind.TIMED_OUT,
                    "no complete answer from the BMC at " + bmc.endpoint() + " within " + callTimeout.toMillis()
                            + " ms (" + method + " " + path + ")");
        }

        private PowerException failure(String method, String path, Throwable t) {
            if (t instanceof HttpConnectTimeoutException) {
                return new PowerException(
                        Kind.UNREACHABLE,
                        "no connection to the BMC at " + bmc.endpoint() + " within " + connectTimeout.toMillis()
                                + " ms");
            }
            if (t instanceof HttpTimeoutException) {
                return timedOut(method, path);
            }
            if (t instanceof ConnectException) {
                return new PowerException(
                        Kind.UNREACHABLE,
                        causedBy(t, UnresolvedAddressException.class)
                                ? "the BMC address " + bmc.address() + " does not resolve"
                                : "nothing answers at " + bmc.endpoint() + " (" + reason(t) + ")");
            }
            if (t instanceof SSLException) {
                return new PowerException(
                        Kind.FAILED, "TLS with the BMC at " + bmc.endpoint() + " refused: " + certificateReason(t));
            }
            return new PowerException(
                    Kind.FAILED,
                    method + " " + path + " on the BMC at " + bmc.endpoint() + " broke off: "
                            + RedfishJson.cut(reason(t)));
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** The certificate check's own words (ours, naming the certificate), else the innermost message. */
    private static String certificateReason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertificateException && c.getMessage() != null) {
                return c.getMessage();
            }
        }
        return RedfishJson.cut(reason(t));
    }

    /** The innermost message (the certificate check's words, "Connection refused"). */
    private static String reason(Throwable t) {
        String m = t.getClass().getSimpleName();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                m = c.getMessage();
            }
        }
        return m;
    }

    /** A body of at most {@code max} bytes; a longer one fails the request. */
    private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Limited(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (out.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("an answer larger than " + max + " bytes"));
                    return;
                }
                byte[] a = new byte[b.remaining()];
                b.get(a);
                out.write(a, 0, a.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
