/**
 * The admin API credential values: {@link dev.anvil.core.auth.Role} and {@link dev.anvil.core.auth.ApiToken}
 * (never the secret itself).
 */
package dev.anvil.core.auth;
