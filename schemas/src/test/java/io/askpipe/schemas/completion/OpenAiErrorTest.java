package io.askpipe.schemas.completion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.ErrorObject;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI's error object, as askpipe writes it and OpenAI's Java SDK reads it. */
class OpenAiErrorTest {

    /** The body's {@code error} member as the SDK reads it, after its own validation. */
    private static ErrorObject parsed(OpenAiError error) throws Exception {
        JsonNode wire = Json.mapper().readTree(Json.mapper().writeValueAsString(error));
        assertThat(wire.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("error");
        return ObjectMappers.jsonMapper()
                .treeToValue(wire.get("error"), ErrorObject.class)
                .validate();
    }

    @Test
    void aFailedAskIsItsStatusWithItsTypeAsTheCode() throws Exception {
        OpenAiError error = OpenAiError.of(new AskError(ErrorType.BACKEND_UNAVAILABLE, "openai is not configured"));

        assertThat(error.status()).isEqualTo(503);
        ErrorObject body = parsed(error);
        assertThat(body.message()).isEqualTo("openai is not configured");
        assertThat(body.type()).isEqualTo("server_error");
        assertThat(body.code()).contains("backend_unavailable");
        assertThat(body.param()).isEmpty();
    }

    @Test
    void aTypeOfAnotherVersionKeepsItsNameAndStatus() throws Exception {
        OpenAiError error = OpenAiError.of(new AskError(AskError.Type.of("quota_exhausted", 429), "spent"));

        assertThat(error.status()).isEqualTo(429);
        assertThat(parsed(error).code()).contains("quota_exhausted");
        assertThat(parsed(error).type()).isEqualTo("rate_limit_error");
    }

    @Test
    void paramAndCodeAreWrittenAsNullWhenThereAreNone() throws Exception {
        JsonNode wire =
                Json.mapper().readTree(Json.mapper().writeValueAsString(OpenAiError.of(500, "oops", null, null)));

        assertThat(wire.get("error").properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactly("message", "type", "param", "code");
        assertThat(wire.at("/error/param").isNull()).isTrue();
        assertThat(wire.at("/error/code").isNull()).isTrue();
    }

    @Test
    void aValidationErrorNamesItsField() throws Exception {
        ErrorObject body =
                parsed(OpenAiError.of(422, "/temperature must be at most 2", "/temperature", "validation_failed"));

        assertThat(body.param()).contains("/temperature");
        assertThat(body.type()).isEqualTo("invalid_request_error");
    }

    @ParameterizedTest
    @CsvSource({
        "400, invalid_request_error",
        "401, authentication_error",
        "403, permission_error",
        "404, not_found_error",
        "409, conflict_error",
        "413, invalid_request_error",
        "415, invalid_request_error",
        "422, invalid_request_error",
        "429, rate_limit_error",
        "500, server_error",
        "502, server_error",
        "503, server_error",
        "504, timeout_error"
    })
    void theTypeFollowsTheStatus(int status, String type) {
        assertThat(OpenAiError.typeOf(status)).isEqualTo(type);
    }

    @Test
    void onlyErrorStatusesAreErrors() {
        assertThatThrownBy(() -> OpenAiError.of(200, "fine", null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
