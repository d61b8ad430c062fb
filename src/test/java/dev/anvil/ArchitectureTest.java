package dev.anvil;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package rules of doc/architecture.md, checked on the compiled classes: the core depends on nothing of
 * ours; the application layer only on the core and the store interfaces; the protocols (DHCP, TFTP, DNS,
 * HTTP) on the core and the application layer, never on each other; no package cycles between the layers.
 */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.anvil");

    static final List<String> PROTOCOLS = List.of("dhcp", "dhcp6", "tftp", "dns", "http");

    @Test
    void theCoreDependsOnNothingOfOursButItself() {
        noClasses()
                .that()
                .resideInAPackage("dev.anvil.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.anvil.app..",
                        "dev.anvil.store..",
                        "dev.anvil.config..",
                        "dev.anvil.api..",
                        "dev.anvil.dhcp..",
                        "dev.anvil.dhcp6..",
                        "dev.anvil.tftp..",
                        "dev.anvil.dns..",
                        "dev.anvil.http..",
                        "dev.anvil.render..",
                        "dev.anvil.tasks..",
                        "dev.anvil.os..",
                        "dev.anvil.auth..",
                        "dev.anvil.lifecycle..",
                        "dev.anvil.timeline..",
                        "dev.anvil.ra..",
                        "dev.anvil.power..")
                .because("the core is the pure domain every other package builds on")
                .check(CLASSES);
    }

    @Test
    void theApplicationLayerSitsOnTheCoreAndTheStoreInterfacesOnly() {
        noClasses()
                .that()
                .resideInAPackage("dev.anvil.app..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.anvil.store.h2..",
                        "dev.anvil.store.sql..",
                        "dev.anvil.store.pg..",
                        "dev.anvil.store.journal..",
                        "dev.anvil.api..",
                        "dev.anvil.dhcp..",
                        "dev.anvil.dhcp6..",
                        "dev.anvil.tftp..",
                        "dev.anvil.dns..",
                        "dev.anvil.http..",
                        "dev.anvil.render..",
                        "dev.anvil.tasks..",
                        "dev.anvil.timeline..",
                        "dev.anvil.power..")
                .because("use cases are reached by the API, the CLI and the node callbacks alike, never the other way")
                .check(CLASSES);
    }

    @Test
    void protocolsNeverDependOnEachOther() {
        for (String p : PROTOCOLS) {
            String[] others = PROTOCOLS.stream()
                    .filter(o -> !o.equals(p))
                    .map(o -> "dev.anvil." + o + "..")
                    .toArray(String[]::new);
            noClasses()
                    .that()
                    .resideInAPackage("dev.anvil." + p + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others)
                    .because("each protocol translates the core's decisions on its own; what they share lives in core")
                    .check(CLASSES);
        }
        noClasses()
                .that()
                .resideInAPackage("dev.anvil.render..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.anvil.tftp..",
                        "dev.anvil.http..",
                        "dev.anvil.dhcp..",
                        "dev.anvil.dhcp6..",
                        "dev.anvil.dns..")
                .check(CLASSES);
    }

    @Test
    void thePowerDriversSeeTheCoreOnlyAndOnlyTheWiringSeesThem() {
        onlyTheWiringSees(
                "power",
                List.of(
                        "app",
                        "store",
                        "api",
                        "config",
                        "auth",
                        "dhcp",
                        "dhcp6",
                        "tftp",
                        "dns",
                        "http",
                        "render",
                        "tasks",
                        "timeline"),
                "a driver talks to a BMC; the use case reaches it as a core PowerDriver",
                "the wiring hands the drivers to the application layer as core PowerDrivers");
    }

    /**
     * {@code dev.anvil.<pkg>} imports none of {@code forbidden}, and nothing but the wiring ({@code dev.anvil})
     * imports it.
     */
    static void onlyTheWiringSees(String pkg, List<String> forbidden, String because, String wiringBecause) {
        noClasses()
                .that()
                .resideInAPackage("dev.anvil." + pkg + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        forbidden.stream().map(p -> "dev.anvil." + p + "..").toArray(String[]::new))
                .because(because)
                .check(CLASSES);
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.anvil", "dev.anvil." + pkg + "..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.anvil." + pkg + "..")
                .because(wiringBecause)
                .check(CLASSES);
    }

    @Test
    void theMetricsPackageSeesTheCoreOnlyAndOnlyTheWiringSeesIt() {
        onlyTheWiringSees(
                "metrics",
                List.of("app", "store", "api", "dhcp", "dhcp6", "tftp", "dns", "http", "render", "tasks"),
                "each service binds its own meters; the registry knows none of them",
                "services bind their meters through Micrometer's MeterBinder, handed the registry by the wiring");
    }

    @Test
    void theTimelineRecorderSitsOnTheCoreAndTheStoreInterfacesAndOnlyTheWiringSeesIt() {
        onlyTheWiringSees(
                "timeline",
                List.of(
                        "app",
                        "store.h2",
                        "store.sql",
                        "store.pg",
                        "store.journal",
                        "api",
                        "dhcp",
                        "dhcp6",
                        "tftp",
                        "dns",
                        "http",
                        "render",
                        "tasks",
                        "os",
                        "auth",
                        "metrics"),
                "protocols report through core.timeline.Timeline; the recorder knows none of them",
                "the protocols, the API and the tasks are handed the recorder as a core Timeline");
    }

    @Test
    void codecsArePure() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.anvil.dhcp.codec..", "dev.anvil.dhcp6.codec..", "dev.anvil.tftp.codec..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.netty..", "java.nio.channels..", "java.sql..", "dev.anvil.store..", "dev.anvil.config..")
                .because("a codec turns bytes into values and back, and nothing else")
                .check(CLASSES);
    }

    @Test
    void theCliIsAClientOfTheApiOnly() {
        noClasses()
                .that()
                .resideInAPackage("dev.anvil.cli..")
                .should()
                .dependOnClassesThat(JavaClass.Predicates.resideInAPackage("dev.anvil..")
                        .and(JavaClass.Predicates.resideOutsideOfPackage("dev.anvil.cli..")))
                .because("anvil talks to the daemon over the admin API alone, from any machine")
                .check(CLASSES);
        noClasses()
                .that()
                .resideInAPackage("dev.anvil.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.netty..", "org.h2..", "org.flywaydb..", "java.sql..", "org.slf4j..")
                .because("a client needs no server, store or logging framework")
                .check(CLASSES);
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.anvil.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.anvil.cli..")
                .because("the daemon does not depend on its client")
                .check(CLASSES);
    }

    @Test
    void noCyclesBetweenTopLevelPackages() {
        slices().matching("dev.anvil.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void routerAdvertisementsSitOnTheCoreConfigAndLifecycleAndOnlyTheWiringSeesThem() {
        noClasses()
                .that()
                .resideInAPackage("dev.anvil.ra..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(java.util.stream.Stream.of(
                                "app",
                                "store",
                                "api",
                                "dhcp",
                                "tftp",
                                "dns",
                                "http",
                                "render",
                                "tasks",
                                "os",
                                "auth",
                                "metrics",
                                "timeline")
                        .map(p -> "dev.anvil." + p + "..")
                        .toArray(String[]::new))
                .because("radvd is told what the core's networks and the config say; it needs no protocol")
                .check(CLASSES);
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.anvil", "dev.anvil.ra..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.anvil.ra..")
                .because("only the wiring starts the router advertisements")
                .check(CLASSES);
    }
}
