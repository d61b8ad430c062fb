package dev.anvil.render;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mustache templates (logic-less: values, sections, inverted sections), looked up first in an operator's
 * override directory, then in the templates shipped inside the jar ({@code pxe/}, {@code kickstart/},
 * {@code preseed/}, {@code autoyast/} at the top of the repository). Output is never HTML-escaped: these are
 * boot configs and answer files, not web pages. Compiled templates are cached by the factory.
 */
public final class Templates {
    static final int INLINE_CACHE = 256;

    private final DefaultMustacheFactory factory;
    private final Map<InlineKey, Mustache> inline = new ConcurrentHashMap<>();

    public Templates(Optional<Path> overrideDir) {
        MustacheResolver resolver = name -> {
            if (overrideDir.isPresent()) {
                Path p = overrideDir.get().resolve(name).normalize();
                if (p.startsWith(overrideDir.get()) && Files.isRegularFile(p)) {
                    try {
                        return new StringReader(Files.readString(p, StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            InputStream in = Templates.class.getClassLoader().getResourceAsStream("anvil/" + name);
            return in == null ? null : new InputStreamReader(in, StandardCharsets.UTF_8);
        };
        this.factory = new DefaultMustacheFactory(resolver) {
            @Override
            public void encode(String value, Writer writer) {
                try {
                    writer.write(value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** Renders a template such as {@code pxe/pxelinux.cfg.mustache} with the given values. */
    public String render(String name, Map<String, Object> scope) {
        Mustache m = factory.compile(name);
        StringWriter out = new StringWriter();
        m.execute(out, scope);
        return out.toString();
    }

    /**
     * Renders a template given as text (kernel arguments from a boot environment). Compiled once per name and
     * text: every iPXE script, GRUB and PXELINUX config renders one, and a boot storm asks for a thousand at
     * once (compiling each was the largest part of a script's rendering, and the JIT compiled the parser).
     * At most {@link #INLINE_CACHE} texts are kept; past that the cache starts over (boot environments are few,
     * so only an operator editing one again and again gets there).
     */
    public String renderInline(String name, String template, Map<String, Object> scope) {
        InlineKey key = new InlineKey(name, template);
        Mustache m = inline.get(key);
        if (m == null) {
            m = factory.compile(new StringReader(template), name);
            if (inline.size() >= INLINE_CACHE) {
                inline.clear();
            }
            inline.put(key, m);
        }
        StringWriter out = new StringWriter();
        m.execute(out, scope);
        return out.toString();
    }

    private record InlineKey(String name, String template) {}
}
