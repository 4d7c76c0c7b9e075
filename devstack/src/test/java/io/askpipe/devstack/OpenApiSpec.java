package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.askpipe.schemas.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks real responses against docs/openapi.yaml: the status is documented for the operation, the
 * content type is the documented one, and the body validates against its JSON Schema (OpenAPI 3.1
 * schemas are JSON Schema 2020-12, so a general validator does; the OpenAPI validators at hand do
 * not accept {@code application/problem+json}).
 */
final class OpenApiSpec {
    private final JsonNode root;

    private OpenApiSpec(JsonNode root) {
        this.root = root;
    }

    static OpenApiSpec load(Path file) throws IOException {
        return new OpenApiSpec(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()));
    }

    void check(String operationId, int status, String contentType, String body) {
        JsonNode operation = operation(operationId);
        JsonNode response = resolve(operation.path("responses").path(String.valueOf(status)));
        assertThat(response.isMissingNode())
                .as("%s documents status %d", operationId, status)
                .isFalse();
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            return;
        }
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].strip();
        JsonNode documented = content.path(mediaType);
        assertThat(documented.isMissingNode())
                .as(
                        "%s %d documents content type %s (has %s)",
                        operationId, status, mediaType, content.fieldNames().next())
                .isFalse();
        if (!mediaType.endsWith("json")) {
            return;
        }
        validate(documented.path("schema"), body, operationId + " " + status);
    }

    /** Validates {@code body}, sent rather than answered (a webhook), against the component schema {@code name}. */
    void checkSchema(String name, String body) {
        JsonNode schema = root.path("components").path("schemas").path(name);
        assertThat(schema.isMissingNode())
                .as("the contract has a schema %s", name)
                .isFalse();
        validate(Json.mapper().createObjectNode().put("$ref", "#/components/schemas/" + name), body, name);
    }

    private void validate(JsonNode documented, String body, String what) {
        ObjectNode schema = ((ObjectNode) documented.deepCopy());
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.set("components", root.path("components"));
        try {
            var errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(schema)
                    .validate(Json.mapper().readTree(body));
            assertThat(errors).as("%s body %s", what, body).isEmpty();
        } catch (IOException e) {
            throw new AssertionError(what + " body is not JSON: " + body, e);
        }
    }

    private JsonNode operation(String operationId) {
        for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
            for (Iterator<JsonNode> operations = paths.next().getValue().elements(); operations.hasNext(); ) {
                JsonNode operation = operations.next();
                if (operationId.equals(operation.path("operationId").asText())) {
                    return operation;
                }
            }
        }
        throw new AssertionError("no operation " + operationId + " in the contract");
    }

    private JsonNode resolve(JsonNode node) {
        if (!node.has("$ref")) {
            return node;
        }
        JsonNode target = root;
        for (String part : node.get("$ref").asText().substring(2).split("/")) {
            target = target.path(part);
        }
        return target;
    }
}
