package dev.anvil.power;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A small Redfish BMC for tests, on loopback over HTTPS with a self-signed certificate made by the JDK's {@code
 * keytool} for {@code 127.0.0.1} and {@code bmc.test}: the service root, the {@code Systems} collection and one
 * {@code ComputerSystem} in DMTF's shapes (DSP0268: {@code PowerState}, {@code Boot} with its allowable override
 * targets, {@code Actions/#ComputerSystem.Reset} with {@code ResetType@Redfish.AllowableValues}), HTTP Basic
 * authentication (the service root open, as DSP0266 says), {@code PATCH} with {@code If-Match} against the system's
 * ETag, and Redfish errors for what it refuses. It behaves like a machine: a reset that powers it on boots it, from
 * the override target while the override is set, and a {@code Once} override is spent by that boot.
 *
 * <p>Modes: {@link #hang} answers every authenticated request with its headers and half its body, then stops until
 * {@link #close}; {@link #allow} narrows the reset types (with {@code advertise} false it accepts fewer than it
 * lists, so only its refusal tells).
 */
public final class RedfishEmulator implements AutoCloseable {
    public static final String USER = "anvil-redfish";
    public static final String PASSWORD = "emulator-Pa55word";
    public static final String SYSTEM = "/redfish/v1/Systems/437XR1138R2";
    public static final String RESET = SYSTEM + "/Actions/ComputerSystem.Reset";
    public static final List<String> ALL_RESETS = List.of(
            "On",
            "ForceOff",
            "GracefulShutdown",
            "GracefulRestart",
            "ForceRestart",
            "Nmi",
            "ForceOn",
            "PushPowerButton",
            "PowerCycle");
    public static final List<String> BOOT_TARGETS = List.of("None", "Pxe", "Cd", "Usb", "Hdd", "BiosSetup");

    private final HttpsServer server;
    private final ExecutorService pool;
    private final X509Certificate certificate;
    private final Path keyStore;
    private final ObjectMapper mapper = new ObjectMapper();
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger requests = new AtomicInteger();

    private final Object lock = new Object();
    private String powerState = "Off";
    private String bootTarget = "None";
    private String bootEnabled = "Disabled";
    private String bootMode = "UEFI";
    private int version = 1;
    private List<String> advertised = ALL_RESETS;
    private List<String> accepted = ALL_RESETS;
    private boolean hang;
    private final List<String> resets = new ArrayList<>();
    private final List<String> boots = new ArrayList<>();

    private RedfishEmulator(HttpsServer server, ExecutorService pool, X509Certificate certificate, Path keyStore) {
        this.server = server;
        this.pool = pool;
        this.certificate = certificate;
        this.keyStore = keyStore;
    }

    /** Makes its key and certificate in {@code dir} with keytool and listens on a free loopback port. */
    public static RedfishEmulator start(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path p12 = dir.resolve("bmc.p12");
        char[] pw = "emulator-keystore".toCharArray();
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "bmc",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=bmc.test",
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:bmc.test",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        p12.toString(),
                        "-storepass:env",
                        "KS_PW",
                        "-keypass:env",
                        "KS_PW")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("keytool.out").toFile());
        pb.environment().put("KS_PW", new String(pw));
        Process kt = pb.start();
        if (!kt.waitFor(60, TimeUnit.SECONDS) || kt.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + Files.readString(dir.resolve("keytool.out")));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, pw);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        ExecutorService pool = Executors.newCachedThreadPool();
        server.setExecutor(pool);
        RedfishEmulator e = new RedfishEmulator(server, pool, (X509Certificate) ks.getCertificate("bmc"), p12);
        server.createContext("/", e::handle);
        server.start();
        return e;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A trust store holding only this emulator's certificate. */
    public KeyStore trustStore() throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("bmc", certificate);
        return ts;
    }

    public Path keyStore() {
        return keyStore;
    }

    public void hang() {
        synchronized (lock) {
            hang = true;
        }
    }

    /** The reset types it takes; {@code advertise}: and says so in its AllowableValues. */
    public void allow(List<String> types, boolean advertise) {
        synchronized (lock) {
            accepted = List.copyOf(types);
            advertised = advertise ? accepted : ALL_RESETS;
        }
    }

    public void power(String state) {
        synchronized (lock) {
            powerState = state;
        }
    }

    public String powerState() {
        synchronized (lock) {
            return powerState;
        }
    }

    /** {@code BootSourceOverrideTarget BootSourceOverrideEnabled BootSourceOverrideMode}. */
    public String boot() {
        synchronized (lock) {
            return bootTarget + " " + bootEnabled + " " + bootMode;
        }
    }

    /** The reset types posted and done, in order. */
    public List<String> resets() {
        synchronized (lock) {
            return List.copyOf(resets);
        }
    }

    /** What the machine booted from, each time it was powered on or restarted. */
    public List<String> boots() {
        synchronized (lock) {
            return List.copyOf(boots);
        }
    }

    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        try {
            String path = x.getRequestURI().getPath();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            String method = x.getRequestMethod();
            byte[] body = x.getRequestBody().readAllBytes();
            if (path.equals("/redfish")) {
                send(x, 200, "{\"v1\":\"/redfish/v1/\"}");
                return;
            }
            if (path.equals("/redfish/v1") && method.equals("GET")) {
                send(x, 200, serviceRoot());
                return;
            }
            if (!authorized(x)) {
                x.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"emulator\"");
                send(x, 401, error("Base.1.16.InsufficientPrivilege", "There are insufficient privileges."));
                return;
            }
            boolean hung;
            synchronized (lock) {
                hung = hang;
            }
            if (hung) {
                hangMidResponse(x);
                return;
            }
            switch (method + " " + path) {
                case "GET /redfish/v1/Systems" -> send(x, 200, systems());
                case "GET " + SYSTEM -> sendSystem(x);
                case "PATCH " + SYSTEM -> patch(x, body);
                case "POST " + RESET -> reset(x, body);
                default ->
                    send(
                            x,
                            Set.of("/redfish/v1/Systems", SYSTEM, RESET).contains(path) ? 405 : 404,
                            error(
                                    "Base.1.16.ResourceMissingAtURI",
                                    "The resource at the URI " + path + " was not found."));
            }
        } finally {
            x.close();
        }
    }

    private boolean authorized(HttpExchange x) {
        String h = x.getRequestHeaders().getFirst("Authorization");
        String want =
                "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return want.equals(h);
    }

    private void hangMidResponse(HttpExchange x) throws IOException {
        byte[] b = systemJson().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(200, b.length);
        OutputStream out = x.getResponseBody();
        out.write(b, 0, b.length / 2);
        out.flush();
        try {
            released.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String serviceRoot() {
        ObjectNode r = mapper.createObjectNode();
        r.put("@odata.type", "#ServiceRoot.v1_15_0.ServiceRoot");
        r.put("@odata.id", "/redfish/v1");
        r.put("Id", "RootService");
        r.put("Name", "Anvil test Redfish emulator");
        r.put("RedfishVersion", "1.17.0");
        r.putObject("Systems").put("@odata.id", "/redfish/v1/Systems");
        return r.toString();
    }

    private String systems() {
        ObjectNode r = mapper.createObjectNode();
        r.put("@odata.type", "#ComputerSystemCollection.ComputerSystemCollection");
        r.put("@odata.id", "/redfish/v1/Systems");
        r.put("Name", "Computer System Collection");
        r.put("Members@odata.count", 1);
        r.putArray("Members").addObject().put("@odata.id", SYSTEM);
        return r.toString();
    }

    private String systemJson() {
        synchronized (lock) {
            ObjectNode s = mapper.createObjectNode();
            s.put("@odata.type", "#ComputerSystem.v1_20_0.ComputerSystem");
            s.put("@odata.id", SYSTEM);
            s.put("Id", "437XR1138R2");
            s.put("Name", "WebFrontEnd483");
            s.put("SystemType", "Physical");
            s.put("PowerState", powerState);
            ObjectNode boot = s.putObject("Boot");
            boot.put("BootSourceOverrideEnabled", bootEnabled);
            boot.put("BootSourceOverrideTarget", bootTarget);
            ArrayNode targets = boot.putArray("BootSourceOverrideTarget@Redfish.AllowableValues");
            BOOT_TARGETS.forEach(targets::add);
            boot.put("BootSourceOverrideMode", bootMode);
            ObjectNode reset = s.putObject("Actions").putObject("#ComputerSystem.Reset");
            reset.put("target", RESET);
            ArrayNode allowed = reset.putArray("ResetType@Redfish.AllowableValues");
            advertised.forEach(allowed::add);
            return s.toString();
        }
    }

    private String etag() {
        synchronized (lock) {
            return "W/\"" + version + "\"";
        }
    }

    private void sendSystem(HttpExchange x) throws IOException {
        x.getResponseHeaders().add("ETag", etag());
        send(x, 200, systemJson());
    }

    private void patch(HttpExchange x, byte[] body) throws IOException {
        JsonNode b;
        try {
            b = mapper.readTree(body);
        } catch (IOException e) {
            send(x, 400, error("Base.1.16.MalformedJSON", "The request body submitted was malformed JSON."));
            return;
        }
        String ifMatch = x.getRequestHeaders().getFirst("If-Match");
        synchronized (lock) {
            if (ifMatch != null && !ifMatch.equals(etag())) {
                send(x, 412, error("Base.1.16.PreconditionFailed", "The ETag supplied did not match."));
                return;
            }
            JsonNode boot = b == null ? null : b.get("Boot");
            if (boot == null || !boot.isObject() || b.size() != 1) {
                send(x, 400, error("Base.1.16.PropertyNotWritable", "Only Boot is writable here."));
                return;
            }
            String target = bootTarget;
            String enabled = bootEnabled;
            String mode = bootMode;
            for (var it = boot.fields(); it.hasNext(); ) {
                var f = it.next();
                String v = f.getValue().asText();
                switch (f.getKey()) {
                    case "BootSourceOverrideTarget" -> target = v;
                    case "BootSourceOverrideEnabled" -> enabled = v;
                    case "BootSourceOverrideMode" -> mode = v;
                    default -> {
                        send(x, 400, error("Base.1.16.PropertyUnknown", "The property " + f.getKey() + " is unknown."));
                        return;
                    }
                }
            }
            if (!BOOT_TARGETS.contains(target)
                    || !List.of("Disabled", "Once", "Continuous").contains(enabled)
                    || !List.of("UEFI", "Legacy").contains(mode)) {
                send(x, 400, error("Base.1.16.PropertyValueNotInList", "A Boot value is not in the list."));
                return;
            }
            bootTarget = target;
            bootEnabled = enabled;
            bootMode = mode;
            version++;
        }
        sendSystem(x);
    }

    private void reset(HttpExchange x, byte[] body) throws IOException {
        String type;
        try {
            JsonNode b = mapper.readTree(body);
            type = b == null ? null : b.path("ResetType").asText(null);
        } catch (IOException e) {
            type = null;
        }
        if (type == null) {
            send(x, 400, error("Base.1.16.ActionParameterMissing", "The action requires the parameter ResetType."));
            return;
        }
        synchronized (lock) {
            if (!accepted.contains(type)) {
                send(
                        x,
                        400,
                        error(
                                "Base.1.16.ActionParameterValueNotInList",
                                "The value '" + type + "' for the parameter ResetType in the action "
                                        + "ComputerSystem.Reset is not in the list of acceptable values."));
                return;
            }
            resets.add(type);
            boolean on = powerState.equals("On");
            switch (type) {
                case "On", "ForceOn" -> {
                    if (!on) {
                        bootNow();
                    }
                }
                case "ForceOff", "GracefulShutdown" -> powerState = "Off";
                case "PushPowerButton" -> {
                    if (on) {
                        powerState = "Off";
                    } else {
                        bootNow();
                    }
                }
                case "ForceRestart", "GracefulRestart", "PowerCycle" -> {
                    if (on || type.equals("PowerCycle")) {
                        bootNow();
                    }
                }
                default -> {}
            }
            version++;
        }
        x.sendResponseHeaders(204, -1);
    }

    /** Powers on and boots: from the override while set, a Once override spent by it. */
    private void bootNow() {
        powerState = "On";
        boolean override = !bootEnabled.equals("Disabled") && !bootTarget.equals("None");
        boots.add(override ? bootTarget : "Hdd");
        if (bootEnabled.equals("Once")) {
            bootEnabled = "Disabled";
        }
    }

    private String error(String id, String message) {
        ObjectNode r = mapper.createObjectNode();
        ObjectNode e = r.putObject("error");
        e.put("code", "Base.1.16.GeneralError");
        e.put("message", "A general error has occurred. See ExtendedInfo for more information.");
        ObjectNode i = e.putArray("@Message.ExtendedInfo").addObject();
        i.put("@odata.type", "#Message.v1_1_1.Message");
        i.put("MessageId", id);
        i.put("Message", message);
        i.put("Severity", "Warning");
        return r.toString();
    }

    private static void send(HttpExchange x, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.getResponseHeaders().add("OData-Version", "4.0");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
