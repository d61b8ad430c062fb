package dev.anvil.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every shipped answer-file template rendered for the sample node (src/test/resources/render) is exactly
 * its golden file (each golden file passed the real validator for its format: see validate.sh); and an
 * operator's override directory replaces a shipped template.
 */
class AnswerTemplatesTest {
    static Map<String, Object> scope() throws Exception {
        try (InputStream in = AnswerTemplatesTest.class.getResourceAsStream("/render/sample-scope.json")) {
            return new ObjectMapper().readValue(in, new TypeReference<Map<String, Object>>() {});
        }
    }

    static String golden(String name) throws Exception {
        try (InputStream in = AnswerTemplatesTest.class.getResourceAsStream("/render/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "kickstart/kickstart.ks.mustache, kickstart.ks",
        "preseed/preseed.cfg.mustache, preseed.cfg",
        "preseed/autoinstall.yaml.mustache, autoinstall.yaml",
        "autoyast/autoyast.xml.mustache, autoyast.xml",
        "pxe/post-install.sh.mustache, post-install.sh",
    })
    void rendersExactlyTheGoldenFile(String template, String golden) throws Exception {
        assertEquals(golden(golden), new Templates(Optional.empty()).render(template, scope()));
    }

    @TempDir
    Path overrides;

    @ParameterizedTest
    @CsvSource({"kickstart/kickstart.ks.mustache", "preseed/preseed.cfg.mustache", "pxe/post-install.sh.mustache"})
    void anOverrideDirectoryReplacesAShippedTemplate(String template) throws Exception {
        Path f = overrides.resolve(template);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "# site template for {{node.name}} with token {{token}}\n");
        String out = new Templates(Optional.of(overrides)).render(template, scope());
        assertTrue(out.startsWith("# site template for n1.cluster.test with token "), out);
    }
}
