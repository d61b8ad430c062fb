package dev.anvil.core.net;

import java.util.Locale;

/** Validation of DNS host names per RFC 1123 §2.1 (letters, digits, hyphens; labels 1..63; at most 253 characters). */
public final class DomainName {
    private DomainName() {}

    /** Returns the name lowercased without a trailing dot, or throws with the reason it is not a host name. */
    public static String normalize(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a host name is required");
        }
        String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        name = name.toLowerCase(Locale.ROOT);
        if (name.isEmpty() || name.length() > 253) {
            throw new IllegalArgumentException(quote(text) + " is not a valid host name (1 to 253 characters)");
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException(
                        quote(text) + " is not a valid host name (each label 1 to 63 characters)");
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw new IllegalArgumentException(
                        quote(text) + " is not a valid host name (a label starts or ends with '-')");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                    throw new IllegalArgumentException(
                            quote(text) + " is not a valid host name (only letters, digits and '-')");
                }
            }
        }
        return name;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.append(s.length() > 80 ? "...\"" : "\"").toString();
    }
}
