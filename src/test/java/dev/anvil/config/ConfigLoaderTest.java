package dev.anvil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader();

    private List<String> problems(String yaml) {
        return assertThrows(InvalidInputException.class, () -> loader.parse(yaml, "test")).violations().stream()
                .map(Violation::toString)
                .toList();
    }

    @Test
    void embeddedDefaultIsUnprivilegedWithOneAdminNetwork() {
        AnvilConfig c = loader.embeddedDefault();
        assertEquals(Path.of("./var"), c.stateDir());
        assertEquals(new HostPort("127.0.0.1", 8080), c.api().listen());
        assertEquals(new HostPort("127.0.0.1", 8081), c.http().listen());
        assertEquals("admin", c.adminNetwork());
        assertEquals(1, c.networks().size());
        assertEquals("auto", c.networks().get(0).v6prefix().text());
        assertTrue(c.bootEnvironments().get("sledgehammer").isPresent());
        assertTrue(c.bootEnvironments().installerFor("ubuntu-22.04").isPresent());
    }

    @Test
    void importTimeoutAndConcurrencyHaveDefaultsAndBounds() {
        AnvilConfig d = loader.embeddedDefault();
        assertEquals(java.time.Duration.ofHours(2), d.install().importTimeout());
        assertEquals(2, d.install().maxImports());
        AnvilConfig c = loader.parse("""
        install: {importTimeoutSeconds: 90, maxImports: 1}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """, "test");
        assertEquals(java.time.Duration.ofSeconds(90), c.install().importTimeout());
        assertEquals(1, c.install().maxImports());
        assertEquals(
                List.of(
                        "install.importTimeoutSeconds: 0 is outside 1..604800",
                        "install.maxImports: 17 is outside 1..16"),
                problems("""
        install: {importTimeoutSeconds: 0, maxImports: 17}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """));
    }

    @Test
    void eventStreamCapsHaveDefaultsAndBounds() {
        assertEquals(EventsConfig.defaults(), loader.embeddedDefault().api().events());
        assertEquals(new EventsConfig(16, 256, java.time.Duration.ofSeconds(15)), EventsConfig.defaults());
        AnvilConfig c = loader.parse("""
        api: {events: {maxStreams: 2, heartbeatSeconds: 30}}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """, "test");
        assertEquals(
                new EventsConfig(2, 256, java.time.Duration.ofSeconds(30)),
                c.api().events());
        assertEquals(
                List.of(
                        "api.events.maxStreams: 0 is outside 1..1024",
                        "api.events.maxBacklog: 70000 is outside 1..65536",
                        "api.events.heartbeatSeconds: 0 is outside 1..3600"),
                problems("""
        api: {events: {maxStreams: 0, maxBacklog: 70000, heartbeatSeconds: 0}}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """));
        assertEquals(List.of("api.events.maxStream: unknown field"), problems("""
        api: {events: {maxStream: 3}}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """));
    }

    @Test
    void installAndLifecycleSections() {
        List<String> p = problems("""
        install: {rootPasswordHash: "hunter2", sshKeys: ["not a key"], tokenTtlMinutes: 0}
        lifecycle: {discoveredName: "x", maxTasks: 0}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """);
        assertTrue(
                p.contains("install.rootPasswordHash: is not a crypt(3) hash such as $6$salt$... (never a clear "
                        + "password)"),
                p.toString());
        assertTrue(p.stream().anyMatch(x -> x.startsWith("install.sshKeys[0]:")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.startsWith("install.tokenTtlMinutes:")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.startsWith("lifecycle.discoveredName:")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.startsWith("lifecycle.maxTasks:")), p.toString());
        assertEquals(
                List.of("lifecycle.autoInstall[0].os: no installer boot environment for \"plan9\" (known: "
                        + String.join(
                                ", ",
                                loader.embeddedDefault().bootEnvironments().installableOses()) + ")"),
                problems("""
        lifecycle: {autoInstall: [{os: plan9, when: {/dmi/vendor: QEMU}}]}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """));
    }

    @Test
    void tftpUploadDirectoriesStayInsideTheRoot() {
        List<String> p = problems("""
        tftp: {uploadDirs: ["../etc", "/srv/up", "a/../..", ""], maxUploadBytes: -1}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """);
        assertEquals(5, p.size(), p.toString());
        assertTrue(
                p.contains("tftp.uploadDirs: '../etc' must be a directory relative to the TFTP root, inside it"),
                p.toString());
        assertTrue(p.stream().anyMatch(x -> x.startsWith("tftp.maxUploadBytes:")), p.toString());
        TftpConfig ok = loader.parse("""
        tftp: {uploadDirs: [uploads, "switches/./backups"]}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """, "test").tftp();
        assertEquals(List.of(Path.of("uploads"), Path.of("switches/backups")), ok.uploadDirs());
        assertEquals(256L << 20, ok.maxUploadBytes());
        assertTrue(!ok.uploadOverwrite());
        assertEquals(List.of(), loader.embeddedDefault().tftp().uploadDirs(), "no uploads unless configured");
    }

    @Test
    void httpMountsAnyDirectoryAtAnyPrefixOutsideTheRoutes() {
        HttpConfig ok = loader.parse("""
        http:
          listDirectories: true
          mounts:
            - {prefix: /, dir: /srv/www, listDirectories: false}
            - {prefix: /images, dir: images}
            - {prefix: /boot/extra/, dir: /srv/extra}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """, "test").http();
        assertEquals(
                List.of(
                        new HttpMount("/", Path.of("/srv/www"), false),
                        new HttpMount("/images/", Path.of("images"), true),
                        new HttpMount("/boot/extra/", Path.of("/srv/extra"), true)),
                ok.mounts(),
                "a prefix gets its closing slash; listings follow http.listDirectories unless the mount says");
        assertEquals(Path.of("/var/lib/anvil/images"), ok.mounts().get(1).dirIn(Path.of("/var/lib/anvil")));
        assertEquals(List.of(), loader.embeddedDefault().http().mounts(), "only the built-in mounts by default");

        List<String> p = problems("""
        http:
          mounts:
            - {prefix: /boot/, dir: /a}
            - {prefix: /nodes/docs/, dir: /a}
            - {prefix: /api, dir: /a}
            - {prefix: "/a/../b/", dir: /a}
            - {prefix: "//", dir: /a}
            - {prefix: "/%41/", dir: /a}
            - {prefix: images/, dir: /a}
            - {dir: /a}
            - {prefix: /w/, dir: /a}
            - {prefix: /w, dir: /b}
            - {prefix: /x/}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """);
        assertEquals(
                List.of(
                        "http.mounts[0].prefix: '/boot/' is built in (/boot/ serves tftp.root, /install/ serves http.installRoot)",
                        "http.mounts[1].prefix: '/nodes/docs/' lies under /nodes/, which the node-facing calls own",
                        "http.mounts[2].prefix: '/api/' lies under /api/, which the node-facing calls own",
                        "http.mounts[3].prefix: '/a/../b/' has a dot segment",
                        "http.mounts[4].prefix: '//' must be a path of up to 255 characters starting with /, with no empty, '.' or"
                                + " '..' segments and no percent-encoding",
                        "http.mounts[5].prefix: '/%41/' must be a path of up to 255 characters starting with /, with no empty, '.' or"
                                + " '..' segments and no percent-encoding",
                        "http.mounts[6].prefix: 'images/' must be a path of up to 255 characters starting with /, with no empty, '.'"
                                + " or '..' segments and no percent-encoding",
                        "http.mounts[7].prefix: a URL prefix is required, such as /images/ or /",
                        "http.mounts[9].prefix: '/w/' is mounted twice",
                        "http.mounts[10].dir: a directory is required"),
                p);
        assertEquals(List.of("http.mounts[0].colour: unknown field"), problems("""
        http: {mounts: [{prefix: /y/, dir: /a, colour: blue}]}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """));
    }

    @Test
    void fieldErrorsCarryTheirPath() {
        assertEquals(List.of("networks[0].cidr: 10.0.0.0/33 is not a valid IPv4 CIDR"), problems("""
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/33, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """));
    }

    @Test
    void unknownFieldsAreErrorsAtEveryLevel() {
        List<String> p = problems("""
        stateDir: /tmp/x
        colour: blue
        http: {listen: "127.0.0.1:1", tls: true}
        networks:
          - {name: admin, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, vlan: 4}
        """);
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("colour: unknown field"), p.toString());
        assertTrue(p.get(1).startsWith("http.tls: unknown field"), p.toString());
        assertEquals("networks[0].vlan: unknown field", p.get(2));
    }

    @Test
    void duplicateNetworksAndBadAdmin() {
        List<String> p = problems("""
        adminNetwork: nope
        networks:
          - {name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
          - {name: a, id: 2, cidr: 10.0.1.0/24, staticRange: 10.0.1.10-10.0.1.20, domain: c.test}
          - {name: b, id: 1, cidr: 10.0.2.0/24, staticRange: 10.0.2.10-10.0.2.20, domain: c.test}
        """);
        assertEquals(
                List.of(
                        "networks[1].name: \"a\" is used by an earlier network",
                        "networks[2].id: 1 is used by an earlier network",
                        "adminNetwork: \"nope\" is not one of the networks"),
                p);
    }

    @Test
    void typeErrorsAndBadListen() {
        List<String> p = problems("""
        http: {listen: "localhost", maxRequestBytes: 12}
        networks:
          - {name: a, id: [1], cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """);
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("http.listen: \"localhost\" is not ADDRESS:PORT"), p.toString());
        assertTrue(p.get(1).startsWith("http.maxRequestBytes:"), p.toString());
        assertTrue(p.get(2).startsWith("networks[0].id: has the wrong type"), p.toString());
    }

    @Test
    void aFractionWhereAWholeNumberIsExpectedIsTheWrongType() {
        List<String> p = problems("""
        networks:
          - {name: a, id: 1.5, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        """);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("networks[0].id: has the wrong type"), p.toString());
    }

    @Test
    void brokenYamlAndEmptyFile() {
        assertTrue(problems("networks: [").get(0).contains("is not valid YAML"));
        assertEquals(List.of("networks: at least one network is required"), problems(""));
    }

    @Test
    void bootEnvironmentOverrides() {
        AnvilConfig c = loader.parse("""
        networks:
          - {name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        bootEnvironments:
          - {name: sledgehammer, kernel: custom/vmlinuz, initrd: custom/initrd}
          - {name: rocky-9-install, os: rocky-9, osFamily: redhat, kernel: images/pxeboot/vmlinuz,
             installTemplate: kickstart/kickstart.ks}
        """, "test");
        assertEquals(
                "custom/vmlinuz",
                c.bootEnvironments().get("sledgehammer").orElseThrow().kernel().orElseThrow());
        assertTrue(c.bootEnvironments().installerFor("rocky-9").isPresent());
        assertEquals(
                List.of(
                        "bootEnvironments[0].os: must be \"x\" for the installer environment x-install",
                        "bootEnvironments[0].installTemplate: is required for an installer environment"),
                problems("""
        networks:
          - {name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
        bootEnvironments:
          - {name: x-install, kernel: k}
        """));
    }

    @Test
    void commandLine() {
        CommandLine cl =
                CommandLine.parse("--config", "/etc/anvil.yaml", "--state-dir=/tmp/s", "--http-listen", "[::1]:0");
        assertEquals(Path.of("/etc/anvil.yaml"), cl.config().orElseThrow());
        assertEquals(Path.of("/tmp/s"), cl.stateDir().orElseThrow());
        assertEquals(new HostPort("::1", 0), cl.httpListen().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("--bogus"));
        assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("--config"));
        assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("--http-listen", "nope"));
        assertEquals(
                new HostPort("127.0.0.1", 9),
                CommandLine.parse("--api-listen", "127.0.0.1:9").apiListen().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("--api-listen", "nope"));
    }

    @Test
    void theAdminApiNeverSharesTheBootListenersAddress() {
        assertEquals(
                List.of("api.listen: 127.0.0.1:8080 overlaps http.listen 0.0.0.0:8080: the admin API must not be "
                        + "served on the boot listener; give it its own address or port"),
                problems("""
        api: {listen: "127.0.0.1:8080"}
        http: {listen: "0.0.0.0:8080"}
        networks: [{name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: a.test, serverAddress: 10.0.0.1}]
        """));
        assertEquals(8080, loader.parse("""
        api: {listen: "127.0.0.1:8080"}
        http: {listen: "10.0.0.1:8080"}
        networks: [{name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: a.test, serverAddress: 10.0.0.1}]
        """, "t").http().listen().port());
        assertEquals(0, loader.parse("""
        api: {listen: "127.0.0.1:0"}
        http: {listen: "127.0.0.1:8081"}
        networks: [{name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: a.test, serverAddress: 10.0.0.1}]
        """, "t").api().listen().port(), "the API may take any free port");
    }

    /** Issue 16: what is written into the URLs machines are handed must be real, or the start fails naming it. */
    @Test
    void theBootListenersPortIsNeverZero() {
        assertEquals(
                List.of("http.listen: 127.0.0.1:0: port 0 would be written into the URLs machines are handed (boot "
                        + "configs, answer files); give the boot listener a fixed port"),
                problems("""
        api: {listen: "127.0.0.1:0"}
        http: {listen: "127.0.0.1:0"}
        networks: [{name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: a.test, serverAddress: 10.0.0.1}]
        """));
        // The same check on the listeners as the flags leave them (anvild --http-listen 127.0.0.1:0).
        List<Violation> v = new java.util.ArrayList<>();
        ConfigLoader.checkSeparate(new HostPort("127.0.0.1", 0), new HostPort("0.0.0.0", 0), v);
        assertEquals(List.of("http.listen"), v.stream().map(Violation::field).toList());
    }

    @Test
    void theAdminNetworkNamesTheServerAddressMachinesAreGiven() {
        assertEquals(
                List.of("networks[1].serverAddress: is required on the admin network (adm): the address machines "
                        + "reach Anvil at, in the URLs and name servers they are given"),
                problems("""
        adminNetwork: adm
        networks:
          - {name: lab, id: 2, cidr: 10.0.1.0/24, staticRange: 10.0.1.10-10.0.1.20, domain: c.test, serverAddress: 10.0.1.1}
          - {name: adm, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test}
        """));
        // Another network may leave it out: its machines are given the admin network's.
        assertEquals(2, loader.parse("""
        networks:
          - {name: adm, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
          - {name: lab, id: 2, cidr: 10.0.1.0/24, staticRange: 10.0.1.10-10.0.1.20, domain: c.test}
        """, "t").networks().size());
    }

    /** DHCP binds without SO_REUSEADDR/SO_REUSEPORT (issue 16), so two of its own sockets on one port are refused here. */
    @Test
    void dhcpNeverOpensTwoSocketsOnOnePort() {
        assertEquals(
                List.of(
                        "dhcp.bootServerPort: 4011 is dhcp.listen's port too (0 turns the boot server off)",
                        "dhcp.interfaces[2]: \"eth0\" is listed twice"),
                problems("""
        dhcp: {listen: "0.0.0.0:4011", interfaces: [eth0, eth1, eth0]}
        networks: [{name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: a.test, serverAddress: 10.0.0.1}]
        """));
        assertEquals(0, loader.parse("""
        dhcp: {listen: "127.0.0.1:0", bootServerPort: 0}
        networks: [{name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: a.test, serverAddress: 10.0.0.1}]
        """, "t").dhcp().bootServerPort());
    }

    @Test
    void secureBootIsOffByDefaultAndNamesATftpShim() {
        DhcpConfig off = loader.embeddedDefault().dhcp();
        assertTrue(!off.secureBoot() && off.loaders().shim().isEmpty(), "off unless configured");
        DhcpConfig on = loader.parse("""
        dhcp: {secureBoot: true}
        networks: [{name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: a.test, serverAddress: 10.0.0.1}]
        """, "t").dhcp();
        assertEquals(java.util.Optional.of("shimx64.efi"), on.loaders().shim());
        assertEquals(
                java.util.Optional.of("debian/shimx64.efi"),
                loader.parse("""
        dhcp: {secureBoot: true, shimLoader: debian/shimx64.efi}
        networks: [{name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: a.test, serverAddress: 10.0.0.1}]
        """, "t").dhcp().loaders().shim());
        assertEquals(
                List.of("dhcp.shimLoader: must be a TFTP file name of 1 to 127 characters (not a URL)"), problems("""
        dhcp: {secureBoot: true, shimLoader: "http://x/shimx64.efi"}
        networks: [{name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: a.test, serverAddress: 10.0.0.1}]
        """));
    }

    @Test
    void networksNeverOverlap() {
        assertEquals(
                List.of(
                        "networks[1].cidr: 10.0.0.128/25 overlaps networks[0] (a, 10.0.0.0/24)",
                        "networks[2].cidr: 10.0.0.0/16 overlaps networks[0] (a, 10.0.0.0/24)",
                        "networks[2].cidr: 10.0.0.0/16 overlaps networks[1] (b, 10.0.0.128/25)"),
                problems("""
        networks:
          - {name: a, id: 1, cidr: 10.0.0.0/24, staticRange: 10.0.0.10-10.0.0.20, domain: c.test, serverAddress: 10.0.0.1}
          - {name: b, id: 2, cidr: 10.0.0.128/25, staticRange: 10.0.0.130-10.0.0.140, domain: c.test}
          - {name: c, id: 3, cidr: 10.0.0.0/16, staticRange: 10.0.2.10-10.0.2.20, domain: c.test}
          - {name: d, id: 4, cidr: 10.1.0.0/24, staticRange: 10.1.0.10-10.1.0.20, domain: c.test}
        """));
    }
}
