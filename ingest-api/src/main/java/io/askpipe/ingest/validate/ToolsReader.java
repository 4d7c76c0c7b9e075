package io.askpipe.ingest.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.askpipe.schemas.chat.FunctionDefinition;
import io.askpipe.schemas.chat.ResponseFormat;
import io.askpipe.schemas.chat.Tool;
import io.askpipe.schemas.chat.ToolChoice;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads what shapes the answer: {@code tools} (function tools, each with a JSON Schema of its
 * parameters), {@code tool_choice} (which must name one of them) and {@code response_format}.
 */
final class ToolsReader {
    /** OpenAI's most tools per request. */
    static final int MAX_TOOLS = 128;

    private ToolsReader() {}

    static List<Tool> tools(JsonNode node, Pointer at) {
        ArrayNode array = Values.array(node, at);
        if (array.isEmpty()) {
            throw at.invalid("must hold at least one tool; leave it out for none");
        }
        if (array.size() > MAX_TOOLS) {
            throw at.invalid("must hold at most " + MAX_TOOLS + " tools");
        }
        List<Tool> tools = new ArrayList<>(array.size());
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < array.size(); i++) {
            Tool tool = tool(array.get(i), at.index(i));
            if (!names.add(tool.function().name())) {
                throw at.index(i).field("function").field("name").invalid("names another tool already");
            }
            tools.add(tool);
        }
        return tools;
    }

    private static Tool tool(JsonNode node, Pointer at) {
        Values.object(node, at);
        Values.functionType(node, at);
        Values.onlyMembers(node, at, Set.of("type", "function"));
        Pointer functionAt = at.field("function");
        JsonNode function = Values.object(Values.required(node, "function", at), functionAt);
        Values.onlyMembers(function, functionAt, Set.of("name", "description", "parameters", "strict"));
        String name = name(function, functionAt);
        String description = Values.member(function, "description")
                .map(value -> Values.string(value, functionAt.field("description")))
                .orElse(null);
        Pointer parametersAt = functionAt.field("parameters");
        JsonNode parameters = Values.member(function, "parameters")
                .map(value -> FiniteNumbers.check(Values.object(value, parametersAt), parametersAt))
                .orElse(null);
        Boolean strict = Values.member(function, "strict")
                .map(value -> Values.bool(value, functionAt.field("strict")))
                .orElse(null);
        return Tool.function(new FunctionDefinition(name, description, parameters, strict));
    }

    /** The {@code name} of a function or a schema: 1-64 letters, digits, {@code _} or {@code -}. */
    private static String name(JsonNode object, Pointer at) {
        Pointer nameAt = at.field("name");
        String name = Values.string(Values.required(object, "name", at), nameAt);
        if (!MessagesReader.FUNCTION_NAME.matcher(name).matches()) {
            throw nameAt.invalid("must be 1-64 letters, digits, _ or -");
        }
        return name;
    }

    /** {@code tool_choice}, given the {@code tools} it chooses among (empty if none). */
    static ToolChoice toolChoice(JsonNode node, Pointer at, List<Tool> tools) {
        if (tools.isEmpty()) {
            throw at.invalid("is only allowed when the ask offers tools");
        }
        if (node.isTextual()) {
            return ToolChoice.Mode.fromWireName(node.textValue())
                    .orElseThrow(() -> at.invalid("must be none, auto, required or {\"type\": \"function\", ...}"));
        }
        Values.object(node, at);
        Values.functionType(node, at);
        Values.onlyMembers(node, at, Set.of("type", "function"));
        Pointer functionAt = at.field("function");
        JsonNode function = Values.object(Values.required(node, "function", at), functionAt);
        Values.onlyMembers(function, functionAt, Set.of("name"));
        String name = name(function, functionAt);
        if (tools.stream().noneMatch(tool -> tool.function().name().equals(name))) {
            throw functionAt.field("name").invalid("must name one of the ask's tools");
        }
        return new ToolChoice.Function(name);
    }

    static ResponseFormat responseFormat(JsonNode node, Pointer at) {
        Values.object(node, at);
        Pointer typeAt = at.field("type");
        String type = Values.string(Values.required(node, "type", at), typeAt);
        return switch (type) {
            case "text" -> {
                Values.onlyMembers(node, at, Set.of("type"));
                yield ResponseFormat.TEXT;
            }
            case "json_object" -> {
                Values.onlyMembers(node, at, Set.of("type"));
                yield ResponseFormat.JSON_OBJECT;
            }
            case "json_schema" -> {
                Values.onlyMembers(node, at, Set.of("type", "json_schema"));
                Pointer schemaAt = at.field("json_schema");
                JsonNode spec = Values.object(Values.required(node, "json_schema", at), schemaAt);
                Values.onlyMembers(spec, schemaAt, Set.of("name", "description", "schema", "strict"));
                String name = name(spec, schemaAt);
                String description = Values.member(spec, "description")
                        .map(value -> Values.string(value, schemaAt.field("description")))
                        .orElse(null);
                Pointer schemaFieldAt = schemaAt.field("schema");
                JsonNode schema = FiniteNumbers.check(
                        Values.object(Values.required(spec, "schema", schemaAt), schemaFieldAt), schemaFieldAt);
                Boolean strict = Values.member(spec, "strict")
                        .map(value -> Values.bool(value, schemaAt.field("strict")))
                        .orElse(null);
                yield new ResponseFormat.JsonSchema(new ResponseFormat.Schema(name, description, schema, strict));
            }
            default -> throw typeAt.invalid("must be text, json_object or json_schema");
        };
    }
}
