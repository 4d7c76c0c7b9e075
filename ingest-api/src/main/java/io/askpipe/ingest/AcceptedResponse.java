package io.askpipe.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** The 202 answer to an accepted ask: {@code {request_id, status: "queued", status_url}}. */
final class AcceptedResponse {
    private AcceptedResponse() {}

    static String statusUrl(String requestId) {
        return IngestRoutes.ASK_PATH + "/" + requestId;
    }

    static String body(AskRequest ask) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_id", ask.requestId());
        body.put("status", AskStatus.QUEUED.wireName());
        body.put("status_url", statusUrl(ask.requestId()));
        try {
            return Json.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }
}
