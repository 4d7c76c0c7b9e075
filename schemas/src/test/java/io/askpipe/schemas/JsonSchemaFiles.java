package io.askpipe.schemas;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;

/** The JSON Schema files under {@code /schemas}, loaded for validation in tests. */
final class JsonSchemaFiles {
    private JsonSchemaFiles() {}

    static JsonSchema schema(String name) throws Exception {
        try (InputStream in = JsonSchemaFiles.class.getResourceAsStream("/schemas/" + name)) {
            // references between the schemas resolve to the files beside them, not to the web
            return JsonSchemaFactory.getInstance(
                            SpecVersion.VersionFlag.V202012,
                            factory -> factory.schemaMappers(
                                    mappers -> mappers.mapPrefix("https://askpipe.io/schemas/", "classpath:schemas/")))
                    .getSchema(in);
        }
    }
}
