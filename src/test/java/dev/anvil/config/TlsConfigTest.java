package dev.anvil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.anvil.core.InvalidInputException;
import dev.anvil.core.Violation;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code api.tls:} section, bound from YAML as ConfigLoader binds the other sections. */
class TlsConfigTest {
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private TlsConfig parse(String text) throws Exception {
        return yaml.readValue(text, TlsDraft.class).validate();
    }

    /** The problems, as the loader reports them once the section sits under {@code api.tls}. */
    private List<String> problems(String text) throws Exception {
        TlsDraft d = yaml.readValue(text, TlsDraft.class);
        return assertThrows(InvalidInputException.class, d::validate).under("api.tls").violations().stream()
                .map(Violation::toString)
                .toList();
    }

    @Test
    void selfSignedWithDefaultOrListedNames() throws Exception {
        assertEquals(new TlsConfig(new TlsConfig.SelfSigned(List.of())), parse("{selfSigned: true}"));
        assertEquals(TlsConfig.selfSigned(), parse("selfSigned: true"));
        assertEquals(
                new TlsConfig(
                        new TlsConfig.SelfSigned(List.of("anvil.example.org", "10.0.0.1", "::1", "*.lab.example"))),
                parse("{selfSigned: true, selfSignedNames: [anvil.example.org, 10.0.0.1, '::1', "
                        + "'*.lab.example']}"));
    }

    @Test
    void pemPair() throws Exception {
        assertEquals(
                TlsConfig.pem(Path.of("/etc/anvil/admin.crt"), Path.of("/etc/anvil/admin.key")),
                parse("{certificate: /etc/anvil/admin.crt, privateKey: /etc/anvil/admin.key}"));
    }

    @Test
    void pkcs12WithPasswordOrPasswordFileNeverPrintsThePassword() throws Exception {
        TlsConfig inline = parse("{pkcs12: /etc/anvil/admin.p12, pkcs12Password: hunter2}");
        assertEquals(
                new TlsConfig.Pkcs12(Path.of("/etc/anvil/admin.p12"), Optional.of("hunter2"), Optional.empty()),
                inline.source());
        assertFalse(inline.toString().contains("hunter2"), inline.toString());
        assertEquals(
                new TlsConfig.Pkcs12(Path.of("admin.p12"), Optional.empty(), Optional.of(Path.of("/run/pw"))),
                parse("{pkcs12: admin.p12, pkcs12PasswordFile: /run/pw}").source());
        assertEquals(
                new TlsConfig.Pkcs12(Path.of("admin.p12"), Optional.empty(), Optional.empty()),
                parse("{pkcs12: admin.p12}").source());
    }

    @Test
    void exactlyOneFormIsRequired() throws Exception {
        assertEquals(
                List.of("api.tls: give one of certificate + privateKey (PEM files), pkcs12 (a .p12 file) or "
                        + "selfSigned: true"),
                problems("{}"));
        assertEquals(
                List.of("api.tls: give one of certificate + privateKey (PEM files), pkcs12 (a .p12 file) or "
                        + "selfSigned: true"),
                problems("{selfSigned: false}"));
        assertEquals(
                List.of("api.tls: certificate + privateKey, pkcs12 and selfSigned are alternatives, give exactly "
                        + "one (found certificate + privateKey, selfSigned)"),
                problems("{certificate: a.crt, privateKey: a.key, selfSigned: true}"));
        assertEquals(
                List.of("api.tls: certificate + privateKey, pkcs12 and selfSigned are alternatives, give exactly "
                        + "one (found certificate + privateKey, pkcs12, selfSigned)"),
                problems("{certificate: a.crt, privateKey: a.key, pkcs12: a.p12, selfSigned: true}"));
    }

    @Test
    void eachFormsFieldsBelongTogether() throws Exception {
        assertEquals(
                List.of("api.tls.privateKey: is required with certificate (a PEM PKCS#8 key file)"),
                problems("{certificate: a.crt}"));
        assertEquals(
                List.of("api.tls.certificate: is required with privateKey (a PEM certificate chain file)"),
                problems("{privateKey: a.key}"));
        assertEquals(
                List.of("api.tls.certificate: must not be empty"), problems("{certificate: ' ', privateKey: a.key}"));
        assertEquals(
                List.of("api.tls.pkcs12PasswordFile: give pkcs12Password or pkcs12PasswordFile, not both"),
                problems("{pkcs12: a.p12, pkcs12Password: x, pkcs12PasswordFile: /run/pw}"));
        List<String> p = problems("{selfSigned: true, pkcs12Password: x, pkcs12PasswordFile: /run/pw}");
        assertTrue(p.contains("api.tls.pkcs12Password: is only used with pkcs12"), p.toString());
        assertTrue(p.contains("api.tls.pkcs12PasswordFile: is only used with pkcs12"), p.toString());
        assertEquals(2, p.size(), p.toString());
        assertEquals(
                List.of("api.tls.selfSignedNames: is only used with selfSigned: true"),
                problems("{certificate: a.crt, privateKey: a.key, selfSignedNames: [localhost]}"));
    }

    @Test
    void selfSignedNamesAreDnsNamesOrAddresses() throws Exception {
        assertEquals(
                List.of(
                        "api.tls.selfSignedNames[1]: \"not a name\" is not a DNS name or an IP address",
                        "api.tls.selfSignedNames[2]: \"300.1.2.3\" is not a DNS name or an IP address",
                        "api.tls.selfSignedNames[3]: \"a.example,dns:evil\" is not a DNS name or an IP address",
                        "api.tls.selfSignedNames[4]: \"fe80::1::2\" is not a DNS name or an IP address",
                        "api.tls.selfSignedNames[5]: \"-a.example\" is not a DNS name or an IP address"),
                problems(
                        "{selfSigned: true, selfSignedNames: [ok.example, 'not a name', 300.1.2.3, 'a.example,dns:evil', "
                                + "'fe80::1::2', '-a.example']}"));
        assertTrue(problems("{selfSigned: true, selfSignedNames: []}")
                .get(0)
                .startsWith("api.tls.selfSignedNames: must " + "list 1 to 100"));
    }

    @Test
    void unknownFieldsAreRefusedByTheBinding() {
        assertThrows(UnrecognizedPropertyException.class, () -> parse("{selfSigned: true, key: a.key}"));
    }

    @Test
    void subjectNames() {
        for (String ok :
                List.of("localhost", "127.0.0.1", "::1", "2001:db8::10", "a-b.example.org", "*.example.org", "host1")) {
            assertTrue(TlsConfig.isSubjectName(ok), ok);
        }
        for (String bad : List.of("", "1.2.3", "256.0.0.1", "a..b", "a_b", "*", "a.*.b", ".:", "x:y", "a b")) {
            assertFalse(TlsConfig.isSubjectName(bad), bad);
        }
    }
}
