package dev.anvil.http;

import java.util.Locale;
import java.util.Map;

/** Content types by file extension for what install trees and boot roots hold; octet-stream otherwise. */
public final class ContentTypes {
    private static final Map<String, String> BY_EXT = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("cfg", "text/plain; charset=utf-8"),
            Map.entry("conf", "text/plain; charset=utf-8"),
            Map.entry("ks", "text/plain; charset=utf-8"),
            Map.entry("ipxe", "text/plain; charset=utf-8"),
            Map.entry("sh", "text/x-shellscript; charset=utf-8"),
            Map.entry("md5", "text/plain; charset=utf-8"),
            Map.entry("sha256", "text/plain; charset=utf-8"),
            Map.entry("asc", "text/plain; charset=utf-8"),
            Map.entry("repo", "text/plain; charset=utf-8"),
            Map.entry("xml", "application/xml"),
            Map.entry("json", "application/json"),
            Map.entry("yaml", "application/yaml"),
            Map.entry("yml", "application/yaml"),
            Map.entry("gz", "application/gzip"),
            Map.entry("tgz", "application/gzip"),
            Map.entry("xz", "application/x-xz"),
            Map.entry("bz2", "application/x-bzip2"),
            Map.entry("zst", "application/zstd"),
            Map.entry("iso", "application/x-iso9660-image"),
            Map.entry("rpm", "application/x-rpm"),
            Map.entry("deb", "application/vnd.debian.binary-package"),
            Map.entry("udeb", "application/vnd.debian.binary-package"),
            Map.entry("efi", "application/efi"),
            Map.entry("gpg", "application/pgp-keys"),
            Map.entry("sig", "application/pgp-signature"),
            Map.entry("squashfs", "application/octet-stream"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"));

    private ContentTypes() {}

    public static String of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || dot == fileName.length() - 1) {
            return "application/octet-stream";
        }
        return BY_EXT.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), "application/octet-stream");
    }
}
