package dev.anvil.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;

/**
 * JSON for the API: strict on input (unknown fields, wrong types and trailing garbage are 400s). A wrong type
 * includes what Jackson would otherwise coerce: a number or boolean where text is expected, text where a
 * number or boolean is, a fraction where a whole number is ({@code "ttl": 5.5} was silently 5). A free-form
 * tree (a machine's inventory) keeps every number as it was sent: fractions are read as {@link
 * java.math.BigDecimal} with their trailing zeros, so {@code 1e999} or {@code 2.50} is stored and read back
 * unchanged instead of becoming {@code "Infinity"} or {@code 2.5}; an exponent beyond {@code int} is a 400.
 */
public final class Json {
    private final ObjectMapper mapper = strict();

    private static ObjectMapper strict() {
        JsonMapper m = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** Reads a request body, turning every Jackson failure into a 400 that names the field. */
    public <T> T read(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw ApiException.badRequest("a JSON request body is required", null);
        }
        try {
            T value = mapper.readValue(body, type);
            if (value == null) {
                throw ApiException.badRequest("the request body must be a JSON object", null);
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest("unknown field \"" + e.getPropertyName() + "\"", path(e));
        } catch (JsonParseException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage(), null);
        } catch (JsonMappingException e) {
            String field = path(e);
            throw ApiException.badRequest(
                    field.isEmpty() ? "the request body must be a JSON object" : "wrong type for \"" + field + "\"",
                    field.isEmpty() ? null : field);
        } catch (JacksonException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage(), null);
        } catch (NumberFormatException e) {
            // BigDecimal's own refusal (an exponent beyond int), not wrapped by Jackson.
            throw ApiException.badRequest("malformed JSON: a number is out of range", null);
        } catch (IOException e) {
            throw ApiException.badRequest("unreadable request body", null);
        }
    }

    public byte[] write(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + value.getClass(), e);
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
