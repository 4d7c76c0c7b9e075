package io.askpipe.router.backend.dryrun;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.askpipe.schemas.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaExampleTest {

    /** Whether {@code value} matches {@code schema}, as an independent validator judges it. */
    static void assertMatches(JsonNode value, JsonNode schema) {
        var errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(schema)
                .validate(value);
        assertThat(errors).as("%s against %s", value, schema).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"""
                {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                 "required": ["city", "days"], "additionalProperties": false}""", """
                {"type": "object",
                 "properties": {
                   "title": {"type": "string", "minLength": 40, "maxLength": 50},
                   "code": {"type": "string", "maxLength": 3},
                   "score": {"type": "number", "minimum": 0.5, "maximum": 1},
                   "rank": {"type": "integer", "exclusiveMinimum": 3},
                   "debt": {"type": "integer", "maximum": -10},
                   "ok": {"type": "boolean"},
                   "nothing": {"type": "null"},
                   "maybe": {"type": ["string", "null"]},
                   "mood": {"enum": ["happy", "sad"]},
                   "kind": {"const": "report"},
                   "when": {"type": "string", "format": "date-time"},
                   "mail": {"type": "string", "format": "email"},
                   "id": {"type": "string", "format": "uuid"},
                   "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
                   "none": {"type": "array", "items": {"type": "string"}, "maxItems": 0},
                   "pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "boolean"}]}
                 },
                 "required": ["title", "code", "score", "rank", "debt", "ok", "nothing", "maybe", "mood", "kind",
                              "when", "mail", "id", "tags", "none", "pair"],
                 "additionalProperties": false}""", """
                {"type": "object",
                 "properties": {"steps": {"type": "array", "items": {"$ref": "#/$defs/step"}},
                                "answer": {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 7}]}},
                 "required": ["steps", "answer"],
                 "$defs": {"step": {"type": "object",
                                    "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}},
                                    "required": ["explanation", "output"], "additionalProperties": false}}}""", """
                {"type": "object",
                 "properties": {"node": {"$ref": "#/definitions/node"}}, "required": ["node"],
                 "definitions": {"node": {"type": "object",
                                          "properties": {"name": {"type": "string"},
                                                         "children": {"type": "array", "items": {"$ref": "#/definitions/node"}},
                                                         "parent": {"$ref": "#/definitions/node"}},
                                          "required": ["name"]}}}""", """
                {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                           {"type": "object", "properties": {"b": {"type": "integer"}}, "required": ["b"]}]}""", """
                {"oneOf": [{"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"],
                            "additionalProperties": false},
                           {"type": "string", "maxLength": 0}]}""", """
                {"properties": {"inferred": {"items": {"type": "integer"}}}, "required": ["inferred", "undeclared"]}"""})
    void anExampleMatchesItsSchema(String schemaText) throws Exception {
        JsonNode schema = Json.mapper().readTree(schemaText);

        JsonNode example = SchemaExample.of(schema, "[dryrun] hello");

        assertMatches(example, schema);
        assertThat(SchemaExample.of(schema, "[dryrun] hello")).isEqualTo(example);
    }

    @org.junit.jupiter.api.Test
    void stringsAreTheGivenTextAndEnumsTheirFirstValue() throws Exception {
        JsonNode schema = Json.mapper().readTree("""
                {"type": "object",
                 "properties": {"summary": {"type": "string"}, "mood": {"type": "string", "enum": ["calm", "loud"]},
                                "count": {"type": "integer"}, "items": {"type": "array", "items": {"type": "string"}}},
                 "required": ["summary", "mood", "count", "items"]}""");

        assertThat(SchemaExample.of(schema, "[dryrun] hi"))
                .isEqualTo(Json.mapper().readTree("""
                        {"summary": "[dryrun] hi", "mood": "calm", "count": 0, "items": ["[dryrun] hi"]}"""));
    }
}
