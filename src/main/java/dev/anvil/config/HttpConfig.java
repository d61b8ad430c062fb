package dev.anvil.config;

/** The HTTP listener (REST API now; install trees and rendered files later). */
public record HttpConfig(HostPort listen, int maxRequestBytes) {
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;
}
