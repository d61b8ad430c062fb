package dev.anvil.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anvil.app.DnsRecords;
import dev.anvil.core.NotFoundException;
import dev.anvil.core.dns.DnsRecord;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/dns/records}: the operator's DNS records beside what Anvil derives from nodes. List, create
 * ({@code {"name": ..., "type": "A"|"AAAA"|"CNAME"|"TXT"|"SRV", "data": ..., "ttl": seconds}}) and delete.
 */
public final class DnsRecordRoutes {
    static final String PATH = "/api/v1/dns/records";
    private static final Set<String> FIELDS = Set.of("name", "type", "data", "ttl");
    private final DnsRecords records;
    private final Json json;

    public DnsRecordRoutes(DnsRecords records, Json json) {
        this.records = records;
        this.json = json;
    }

    public void register(Router r) {
        r.add(
                HttpMethod.GET,
                PATH,
                req -> ApiResponse.ok(
                        records.list().stream().map(DnsRecordRoutes::show).toList()));
        r.add(HttpMethod.POST, PATH, req -> {
            JsonNode body = json.read(req.body(), JsonNode.class);
            if (!body.isObject()) {
                throw ApiException.badRequest(
                        "body must be {\"name\": ..., \"type\": ..., \"data\": ..., \"ttl\": ...}", null);
            }
            body.fieldNames().forEachRemaining(f -> {
                if (!FIELDS.contains(f)) {
                    throw ApiException.badRequest("unknown field " + f + " (known: name, type, data, ttl)", f);
                }
            });
            JsonNode ttl = body.path("ttl");
            if (!ttl.isMissingNode() && !ttl.isInt()) {
                throw ApiException.badRequest("ttl must be a whole number of seconds", "ttl");
            }
            DnsRecord created = records.create(DnsRecord.of(
                    text(body, "name"),
                    text(body, "type"),
                    text(body, "data"),
                    ttl.isMissingNode() ? null : ttl.asInt()));
            return new ApiResponse(HttpResponseStatus.CREATED, show(created));
        });
        r.add(HttpMethod.DELETE, PATH + "/{id}", req -> {
            long id;
            try {
                id = Long.parseLong(req.param("id"));
            } catch (NumberFormatException e) {
                throw new NotFoundException("no DNS record " + req.param("id"));
            }
            records.delete(id);
            return ApiResponse.noContent();
        });
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest(field + " must be a string", field);
        }
        return n.asText();
    }

    static Map<String, Object> show(DnsRecord d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("name", d.name());
        m.put("type", d.type().name());
        m.put("data", d.data());
        m.put("ttl", d.ttl());
        return m;
    }
}
