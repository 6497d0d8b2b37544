package io.vlmtagger.operators.search.opensearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmtagger.operators.search.SearchFields;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, if absent, the index template and the first index behind the write alias. Idempotent and
 * safe when several subtasks race: "already exists" answers count as success.
 *
 * <p>Layout: an index template {@code <alias>-template} for indices {@code <alias>-*} holding the
 * mapping, and a first index {@code <alias>-v1} created together with the alias (atomically, as
 * the write index). Re-indexing under a new model version creates {@code <alias>-v2}, fills it,
 * then moves the alias in one {@code _aliases} call (see docs/search.md). The sink writes only
 * through the alias.
 *
 * <p>Mapping: strict at the top level (a field the emitter does not know is a bug, and is
 * dead-lettered); caption/question/answer are text with the {@code standard} analyzer (present in
 * every OpenSearch install, unlike {@code english}), the caption with a {@code keyword} subfield;
 * tags, model, revision, source, image reference and hash are keywords; event time a date;
 * attributes a dynamic object whose string values become keywords.
 */
public final class OpensearchIndexSetup {
    private static final Logger LOG = LoggerFactory.getLogger(OpensearchIndexSetup.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String alias;
    private final int shards;
    private final int replicas;

    public OpensearchIndexSetup(String alias, int shards, int replicas) {
        this.alias = alias;
        this.shards = shards;
        this.replicas = replicas;
    }

    public String templateName() {
        return alias + "-template";
    }

    public String firstIndexName() {
        return alias + "-v1";
    }

    /** The mapping shared by every index behind the alias. */
    public static ObjectNode mapping() {
        ObjectNode mappings = JSON.createObjectNode();
        mappings.put("dynamic", "strict");
        ObjectNode props = mappings.putObject("properties");
        keyword(props, SearchFields.EVENT_ID);
        props.putObject(SearchFields.EVENT_TIME).put("type", "date").put("format", "epoch_millis||strict_date_optional_time");
        keyword(props, SearchFields.SOURCE);
        keyword(props, SearchFields.IMAGE_REF).put("ignore_above", 4096);
        keyword(props, SearchFields.IMAGE_SHA256);
        ObjectNode caption = text(props, SearchFields.CAPTION);
        caption.putObject("fields").putObject("keyword").put("type", "keyword").put("ignore_above", 1024);
        keyword(props, SearchFields.TAGS);
        text(props, SearchFields.QUESTION);
        text(props, SearchFields.ANSWER);
        keyword(props, SearchFields.MODEL);
        keyword(props, SearchFields.REVISION);
        props.putObject(SearchFields.ATTRIBUTES).put("type", "object").put("dynamic", true);
        ArrayNode dynamicTemplates = mappings.putArray("dynamic_templates");
        ObjectNode attrs = dynamicTemplates.addObject().putObject("attributes_as_keywords");
        attrs.put("path_match", SearchFields.ATTRIBUTES + ".*");
        attrs.put("match_mapping_type", "string");
        attrs.putObject("mapping").put("type", "keyword").put("ignore_above", 1024);
        return mappings;
    }

    private static ObjectNode keyword(ObjectNode props, String field) {
        return props.putObject(field).put("type", "keyword");
    }

    private static ObjectNode text(ObjectNode props, String field) {
        return props.putObject(field).put("type", "text").put("analyzer", "standard");
    }

    String templateJson() {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("index_patterns").add(alias + "-*");
        root.put("priority", 100);
        ObjectNode template = root.putObject("template");
        template.putObject("settings").put("number_of_shards", shards).put("number_of_replicas", replicas);
        template.set("mappings", mapping());
        return root.toString();
    }

    String firstIndexJson() {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("aliases").putObject(alias).put("is_write_index", true);
        return root.toString();
    }

    /** Makes sure the template, the first index and the alias exist. */
    public void ensure(OpenSearchGenericClient client) throws IOException {
        if (status(client, "GET", "/_index_template/" + templateName(), null) == 404) {
            Call put = call(client, "PUT", "/_index_template/" + templateName() + "?create=true", templateJson());
            if (put.status >= 300 && !put.body.contains("already exists")) {
                throw new IOException("Creating the index template " + templateName() + " failed: HTTP "
                        + put.status + " " + put.body);
            }
            LOG.info("Index template {} for {}-* created (or created concurrently)", templateName(), alias);
        }
        if (status(client, "HEAD", "/_alias/" + alias, null) == 200) {
            return;
        }
        if (status(client, "HEAD", "/" + alias, null) == 200) {
            throw new IOException("'" + alias + "' is an index, not an alias (was it auto-created by a write"
                    + " before the sink ran?): delete it or reindex it into " + firstIndexName()
                    + " and add the alias, then restart");
        }
        Call create = call(client, "PUT", "/" + firstIndexName(), firstIndexJson());
        if (create.status >= 300 && !create.body.contains("resource_already_exists_exception")) {
            throw new IOException("Creating the index " + firstIndexName() + " with alias " + alias + " failed: HTTP "
                    + create.status + " " + create.body);
        }
        if (status(client, "HEAD", "/_alias/" + alias, null) != 200) {
            throw new IOException("The index " + firstIndexName() + " exists but the alias " + alias
                    + " does not point at it: add it with POST _aliases, or delete the index and restart");
        }
        LOG.info("Index {} behind write alias {} is ready", firstIndexName(), alias);
    }

    private record Call(int status, String body) {}

    private static int status(OpenSearchGenericClient client, String method, String endpoint, String json)
            throws IOException {
        return call(client, method, endpoint, json).status;
    }

    static Call call(OpenSearchGenericClient client, String method, String endpoint, String json) throws IOException {
        int q = endpoint.indexOf('?');
        Requests.JsonBodyBuilder request = Requests.builder().method(method).endpoint(q < 0 ? endpoint : endpoint.substring(0, q));
        if (q >= 0) {
            Map<String, String> params = new HashMap<>();
            for (String pair : endpoint.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                params.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
            request.query(params);
        }
        if (json != null) {
            request.json(json);
        }
        try (Response response = client.execute(request.build())) {
            String body = response.getBody().map(Body::bodyAsString).orElse("");
            return new Call(response.getStatus(), body);
        }
    }
}
