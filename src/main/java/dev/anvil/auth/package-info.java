/**
 * Credentials of the trust boundary: admin API bearer tokens ({@link dev.anvil.auth.ApiTokens}, kept as their
 * SHA-256 behind {@link dev.anvil.store.ApiTokenStore}, roles in {@link dev.anvil.core.auth.Role}) and the secrets
 * kept in 0600 files of the state directory ({@link dev.anvil.auth.SecretFiles}: the first admin token, the
 * install-token key), and {@link dev.anvil.auth.SecretBox}: BMC passwords sealed with AES-GCM under the key in
 * {@code <stateDir>/bmc-secret.key} (doc/power.md). No netty, no JDBC. See {@code doc/security.md}.
 */
package dev.anvil.auth;
