/**
 * The configuration: an immutable, validated record tree ({@link dev.anvil.config.AnvilConfig}) made once by
 * {@link dev.anvil.config.ConfigLoader} from YAML/JSON drafts, and the command line ({@link
 * dev.anvil.config.CommandLine}, picocli). Imports the core only.
 */
package dev.anvil.config;
