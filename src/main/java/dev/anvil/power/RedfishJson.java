package dev.anvil.power;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anvil.core.power.BootDevice;
import dev.anvil.core.power.PowerException;
import dev.anvil.core.power.PowerException.Kind;
import dev.anvil.core.power.PowerState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Redfish documents the {@link Redfish} driver reads and writes, without any I/O: the service root's {@code
 * Systems} link, a collection's first member, a {@code ComputerSystem} (its {@code PowerState}, {@code Boot} and
 * {@code #ComputerSystem.Reset} action with its allowed reset types), an {@code ActionInfo}, a Redfish error, and the
 * bodies of a reset and of a boot override. Names and shapes are DMTF's (DSP0266, DSP0268: ServiceRoot v1,
 * ComputerSystem v1, ActionInfo v1, the {@code error} object). A document that does not have what is needed is a
 * {@link PowerException} of kind {@code failed} naming what is missing.
 */
final class RedfishJson {
    static final String RESET_ACTION = "#ComputerSystem.Reset";
    static final String RESET_ALLOWED = "ResetType@Redfish.AllowableValues";
    static final String BOOT_TARGET_ALLOWED = "BootSourceOverrideTarget@Redfish.AllowableValues";

    /** Redfish message IDs (Base registry) that mean "this BMC does not do that". */
    private static final List<String> UNSUPPORTED_MESSAGES = List.of(
            "ActionNotSupported",
            "ActionParameterNotSupported",
            "ActionParameterValueNotInList",
            "PropertyValueNotInList",
            "PropertyUnknown",
            "PropertyNotWritable");

    /** The longest text taken from a BMC's error into an exception message. */
    static final int MAX_MESSAGE = 300;

    /** Thread-safe once configured; one per driver (no static state). */
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * A {@code ComputerSystem} as far as power control needs it.
     *
     * @param powerState its {@code PowerState} ({@code On}, {@code Off}, {@code PoweringOn}, ...); empty if absent
     * @param resetTarget where {@code #ComputerSystem.Reset} is posted; empty: the system has no reset action
     * @param allowedResets {@code ResetType@Redfish.AllowableValues}; empty: not stated here
     * @param resetActionInfo the action's {@code @Redfish.ActionInfo}, where the allowed values are when not inline
     * @param boot its {@code Boot} object (empty: none)
     */
    record ComputerSystem(
            Optional<String> powerState,
            Optional<String> resetTarget,
            Optional<List<String>> allowedResets,
            Optional<String> resetActionInfo,
            Optional<JsonNode> boot) {
        /** The power state, On/Off as the BMC is heading: {@code PoweringOn} is on, {@code PoweringOff} off. */
        PowerState state() {
            String s = powerState.orElseThrow(() -> new PowerException(Kind.FAILED, "the system has no PowerState"));
            return switch (s) {
                case "On", "PoweringOn", "Paused" -> PowerState.ON;
                case "Off", "PoweringOff" -> PowerState.OFF;
                default -> throw new PowerException(Kind.FAILED, "unknown PowerState \"" + cut(s) + "\"");
            };
        }

        /** {@code BootSourceOverrideTarget@Redfish.AllowableValues}; empty: not stated. */
        Optional<List<String>> allowedBootTargets() {
            return boot.map(b -> b.get(BOOT_TARGET_ALLOWED)).flatMap(RedfishJson::strings);
        }

        /** The system says which boot mode an override uses ({@code BootSourceOverrideMode} is present). */
        boolean hasBootMode() {
            return boot.map(b -> b.has("BootSourceOverrideMode")).orElse(false);
        }

        /** {@code Boot.<property>} as text, empty when absent. */
        Optional<String> boot(String property) {
            return boot.map(b -> b.get(property)).filter(JsonNode::isTextual).map(JsonNode::asText);
        }
    }

    JsonNode parse(byte[] body, String what) {
        try {
            JsonNode n = mapper.readTree(body);
            if (n == null || !n.isObject()) {
                throw new PowerException(Kind.FAILED, what + " is not a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new PowerException(Kind.FAILED, what + " is not JSON: " + cut(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new PowerException(Kind.FAILED, what + " cannot be read: " + cut(e.getMessage()));
        }
    }

    /** The service root's {@code Systems} link. */
    String systemsPath(byte[] serviceRoot) {
        return path(
                parse(serviceRoot, "the service root").path("Systems").get("@odata.id"), "Systems in the service root");
    }

    /** A collection's first member ({@code Members[0]}). */
    String firstMember(byte[] collection) {
        JsonNode members = parse(collection, "the Systems collection").get("Members");
        if (members == null || !members.isArray() || members.isEmpty()) {
            throw new PowerException(Kind.FAILED, "the Systems collection has no member");
        }
        return path(members.get(0).get("@odata.id"), "the first member of Systems");
    }

    ComputerSystem system(byte[] body) {
        JsonNode s = parse(body, "the ComputerSystem");
        JsonNode reset = s.path("Actions").get(RESET_ACTION);
        Optional<JsonNode> r = Optional.ofNullable(reset).filter(JsonNode::isObject);
        return new ComputerSystem(
                text(s.get("PowerState")),
                r.map(a -> path(a.get("target"), RESET_ACTION + " target")),
                r.map(a -> a.get(RESET_ALLOWED)).flatMap(RedfishJson::strings),
                r.map(a -> a.get("@Redfish.ActionInfo"))
                        .filter(JsonNode::isTextual)
                        .map(a -> path(a, "ActionInfo")),
                Optional.ofNullable(s.get("Boot")).filter(JsonNode::isObject));
    }

    /** An {@code ActionInfo}'s allowed values for {@code ResetType}; empty when it does not say. */
    Optional<List<String>> actionInfoResetTypes(byte[] body) {
        for (JsonNode p : parse(body, "the ActionInfo").path("Parameters")) {
            if ("ResetType".equals(p.path("Name").asText())) {
                return strings(p.get("AllowableValues"));
            }
        }
        return Optional.empty();
    }

    /**
     * The reset type to post: the first of {@code wanted} the BMC allows ({@code allowed} empty: it did not say, so
     * the first). None allowed is {@link Kind#UNSUPPORTED}, naming what the BMC allows.
     */
    static String resetType(List<String> wanted, Optional<List<String>> allowed, String action) {
        if (allowed.isEmpty()) {
            return wanted.get(0);
        }
        for (String w : wanted) {
            if (allowed.get().contains(w)) {
                return w;
            }
        }
        throw new PowerException(
                Kind.UNSUPPORTED,
                "the BMC does not allow reset type " + String.join(" or ", wanted) + " (for " + action + "); it allows "
                        + cut(String.join(", ", allowed.get())));
    }

    /** {@code {"ResetType":"<type>"}}. */
    byte[] resetBody(String resetType) {
        return write(Map.of("ResetType", resetType));
    }

    /**
     * The {@code PATCH} body of a boot override: {@code Boot} with {@code BootSourceOverrideTarget} ({@code Pxe},
     * {@code Hdd}), {@code BootSourceOverrideEnabled} ({@code Once}, {@code Continuous}) and, when {@code uefi} is
     * given, {@code BootSourceOverrideMode} ({@code UEFI}, {@code Legacy}).
     */
    byte[] bootBody(BootDevice device, boolean once, Optional<Boolean> uefi) {
        Map<String, String> boot = new LinkedHashMap<>();
        boot.put("BootSourceOverrideTarget", bootTarget(device));
        boot.put("BootSourceOverrideEnabled", once ? "Once" : "Continuous");
        uefi.ifPresent(u -> boot.put("BootSourceOverrideMode", u ? "UEFI" : "Legacy"));
        return write(Map.of("Boot", boot));
    }

    static String bootTarget(BootDevice device) {
        return device == BootDevice.PXE ? "Pxe" : "Hdd";
    }

    /**
     * A Redfish {@code error} body in one line: its {@code message} and each {@code @Message.ExtendedInfo} entry's
     * {@code MessageId} and {@code Message}, cut; empty when the body is not such an error.
     */
    Optional<String> errorText(byte[] body) {
        JsonNode error;
        try {
            JsonNode n = mapper.readTree(body);
            error = n == null ? null : n.get("error");
        } catch (IOException e) {
            return Optional.empty();
        }
        if (error == null || !error.isObject()) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        text(error.get("message")).ifPresent(parts::add);
        for (JsonNode info : error.path("@Message.ExtendedInfo")) {
            String id = info.path("MessageId").asText("");
            String m = info.path("Message").asText("");
            parts.add(id.isEmpty() ? m : m.isEmpty() ? id : id + ": " + m);
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(cut(String.join("; ", parts)));
    }

    /** The error says the BMC does not do what was asked (a Base registry "not supported" message). */
    boolean unsupported(byte[] body) {
        JsonNode error;
        try {
            JsonNode n = mapper.readTree(body);
            error = n == null ? null : n.get("error");
        } catch (IOException e) {
            return false;
        }
        if (error == null) {
            return false;
        }
        List<String> ids = new ArrayList<>();
        text(error.get("code")).ifPresent(ids::add);
        error.path("@Message.ExtendedInfo")
                .forEach(i -> ids.add(i.path("MessageId").asText("")));
        return ids.stream().anyMatch(id -> UNSUPPORTED_MESSAGES.stream().anyMatch(u -> id.endsWith("." + u)));
    }

    /**
     * An {@code @odata.id} as a path on the same BMC: absolute, never another host ({@code //host/...} or a URL),
     * so credentials are only ever sent to the BMC they are for.
     */
    static String path(JsonNode id, String what) {
        if (id == null || !id.isTextual()) {
            throw new PowerException(Kind.FAILED, "no @odata.id for " + what);
        }
        String p = id.asText();
        if (!p.startsWith("/") || p.startsWith("//") || p.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
            throw new PowerException(Kind.FAILED, what + " is not a path on this BMC: \"" + cut(p) + "\"");
        }
        return p;
    }

    private static Optional<String> text(JsonNode n) {
        return Optional.ofNullable(n).filter(JsonNode::isTextual).map(JsonNode::asText);
    }

    private static Optional<List<String>> strings(JsonNode n) {
        if (n == null || !n.isArray()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        n.forEach(e -> out.add(e.asText()));
        return Optional.of(List.copyOf(out));
    }

    private byte[] write(Object o) {
        try {
            return mapper.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String cut(String s) {
        return s == null ? "" : s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) + "..." : s;
    }
}
