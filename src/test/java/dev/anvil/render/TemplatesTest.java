package dev.anvil.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    private final Templates templates = new Templates(Optional.empty());

    @Test
    void anInlineTemplateRendersEachScopeFromItsOneCompilation() {
        String args = "console=ttyS0 anvil.api={{api}} BOOTIF=01-{{mac}}";
        assertEquals(
                "console=ttyS0 anvil.api=http://a/api BOOTIF=01-aa",
                templates.renderInline("discovery-args", args, Map.of("api", "http://a/api", "mac", "aa")));
        assertEquals(
                "console=ttyS0 anvil.api=http://b/api BOOTIF=01-bb",
                templates.renderInline("discovery-args", args, Map.of("api", "http://b/api", "mac", "bb")));
    }

    @Test
    void anEditedInlineTemplateIsRenderedAsEditedNotAsCached() {
        templates.renderInline("env-args", "quiet {{x}}", Map.of("x", "1"));
        assertEquals("verbose 2", templates.renderInline("env-args", "verbose {{x}}", Map.of("x", "2")));
    }

    @Test
    void pastTheCacheBoundEveryTextStillRendersItself() {
        for (int i = 0; i < Templates.INLINE_CACHE * 2 + 3; i++) {
            assertEquals(i + "=" + i, templates.renderInline("e" + i, i + "={{v}}", Map.of("v", Integer.toString(i))));
        }
        assertEquals("0=z", templates.renderInline("e0", "0={{v}}", Map.of("v", "z")));
    }
}
