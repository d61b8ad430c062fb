package dev.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where the URL, token and state directory come from: flags, then environment, then cli.conf, then defaults. */
class SettingsTest {
    static final Path CONF = Path.of("/home/op/.config/anvil/cli.conf");
    static final Settings.Flags NO_FLAGS = new Settings.Flags(null, null, null);

    final Map<Path, String> files = new HashMap<>();
    final Map<String, String> env = new HashMap<>(Map.of("HOME", "/home/op"));

    Settings resolve(Settings.Flags flags) {
        return Settings.resolve(flags, env, p -> Optional.ofNullable(files.get(p)));
    }

    @Test
    void defaultsAreTheLocalDaemonAndTheAdminTokenOfThePackagedStateDirectory() {
        files.put(Path.of("/var/lib/anvil/admin-token"), "anvil_admin\n");
        Settings s = resolve(NO_FLAGS);
        assertEquals("http://127.0.0.1:8080", s.url().toString());
        assertEquals("default", s.urlSource());
        assertEquals(Optional.of("anvil_admin"), s.token());
        assertEquals("/var/lib/anvil/admin-token", s.tokenSource());
    }

    @Test
    void anUnreadableAdminTokenMeansNoToken() {
        Settings s = resolve(NO_FLAGS);
        assertEquals(Optional.empty(), s.token());
        assertEquals("none", s.tokenSource());
        assertTrue(s.tokenHint().contains("/var/lib/anvil/admin-token"), s.tokenHint());
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsTheAdminToken() {
        files.put(CONF, "# mine\nurl = https://admin.example:8443/\ntoken=anvil_conf\nstate-dir=/srv/anvil\n");
        files.put(Path.of("/srv/anvil/admin-token"), "anvil_state");
        files.put(Path.of("/env/state/admin-token"), "anvil_envstate");
        files.put(Path.of("/flag/state/admin-token"), "anvil_flagstate");

        Settings conf = resolve(NO_FLAGS);
        assertEquals("https://admin.example:8443", conf.url().toString());
        assertEquals(CONF.toString(), conf.urlSource());
        assertEquals(Optional.of("anvil_conf"), conf.token());
        assertEquals(Path.of("/srv/anvil"), conf.stateDir());

        env.putAll(Map.of(
                "ANVIL_URL", "http://10.0.0.1:8080", "ANVIL_TOKEN", "anvil_env", "ANVIL_STATE_DIR", "/env/state"));
        Settings fromEnv = resolve(NO_FLAGS);
        assertEquals("http://10.0.0.1:8080", fromEnv.url().toString());
        assertEquals("ANVIL_URL", fromEnv.urlSource());
        assertEquals(Optional.of("anvil_env"), fromEnv.token());
        assertEquals("ANVIL_TOKEN", fromEnv.tokenSource());
        assertEquals(Path.of("/env/state"), fromEnv.stateDir());

        Settings flags = resolve(new Settings.Flags("http://127.0.0.1:9", "anvil_flag", Path.of("/flag/state")));
        assertEquals("http://127.0.0.1:9", flags.url().toString());
        assertEquals(Optional.of("anvil_flag"), flags.token());
        assertEquals("--token", flags.tokenSource());

        env.remove("ANVIL_TOKEN");
        files.put(CONF, "url=http://x:1\n");
        Settings stateDirFlag = resolve(new Settings.Flags(null, null, Path.of("/flag/state")));
        assertEquals(Optional.of("anvil_flagstate"), stateDirFlag.token(), "--state-dir's admin-token beats none");
        assertEquals("http://10.0.0.1:8080", stateDirFlag.url().toString(), "ANVIL_URL still beats url=");
    }

    @Test
    void xdgConfigHomeMovesTheFile() {
        env.put("XDG_CONFIG_HOME", "/xdg");
        files.put(CONF, "token=anvil_home\n");
        files.put(Path.of("/xdg/anvil/cli.conf"), "token=anvil_xdg\n");
        assertEquals(Optional.of("anvil_xdg"), resolve(NO_FLAGS).token());
    }

    @Test
    void aBlankEnvironmentVariableCountsAsUnset() {
        env.put("ANVIL_TOKEN", " ");
        files.put(CONF, "token=anvil_conf\n");
        assertEquals(Optional.of("anvil_conf"), resolve(NO_FLAGS).token());
    }

    @Test
    void aWrongLineInTheFileIsAUsageErrorNamingTheLine() {
        files.put(CONF, "url=http://x:1\n\ncolour=red\n");
        CliException e = assertThrows(CliException.class, () -> resolve(NO_FLAGS));
        assertEquals(CliException.USAGE, e.exitCode());
        assertEquals(
                CONF + " line 3: expected one of url=, token=, state-dir=, cacert= (got \"colour=red\")",
                e.getMessage());
    }

    @Test
    void aUrlThatIsNotHttpIsAUsageErrorNamingWhereItCameFrom() {
        env.put("ANVIL_URL", "127.0.0.1:8080");
        CliException e = assertThrows(CliException.class, () -> resolve(NO_FLAGS));
        assertEquals(CliException.USAGE, e.exitCode());
        assertTrue(e.getMessage().startsWith("the API URL from ANVIL_URL is not"), e.getMessage());
        assertThrows(CliException.class, () -> resolve(new Settings.Flags("ftp://h/", null, null)));
    }

    @Test
    void theCaFileComesLikeTheOtherSettingsElseTheDaemonsOwnCertificateForHttps() {
        files.put(Path.of("/var/lib/anvil/tls/admin.crt"), "OWN");
        files.put(Path.of("/etc/ssl/ca.pem"), "CONF");
        files.put(Path.of("/env/ca.pem"), "ENV");
        files.put(Path.of("/flag/ca.pem"), "FLAG");

        Settings plain = resolve(NO_FLAGS);
        assertEquals(Optional.empty(), plain.caPem(), "http: no certificate is read");

        env.put("ANVIL_URL", "https://127.0.0.1:8443");
        Settings own = resolve(NO_FLAGS);
        assertEquals(Optional.of("OWN"), own.caPem());
        assertEquals("/var/lib/anvil/tls/admin.crt", own.caSource());

        files.put(CONF, "cacert = /etc/ssl/ca.pem\n");
        assertEquals(Optional.of("CONF"), resolve(NO_FLAGS).caPem());
        env.put("ANVIL_CACERT", "/env/ca.pem");
        assertEquals(Optional.of("ENV"), resolve(NO_FLAGS).caPem());
        Settings flag = resolve(new Settings.Flags(null, null, null, Path.of("/flag/ca.pem")));
        assertEquals(Optional.of("FLAG"), flag.caPem());
        assertEquals("/flag/ca.pem", flag.caSource());

        files.remove(Path.of("/var/lib/anvil/tls/admin.crt"));
        env.remove("ANVIL_CACERT");
        files.remove(CONF);
        assertEquals(Optional.empty(), resolve(NO_FLAGS).caPem(), "no file of the daemon's: the JVM's trust store");

        CliException e = assertThrows(
                CliException.class, () -> resolve(new Settings.Flags(null, null, null, Path.of("/nowhere.pem"))));
        assertEquals(CliException.USAGE, e.exitCode());
        assertEquals("cannot read the CA certificate file /nowhere.pem (from --cacert)", e.getMessage());
    }
}
