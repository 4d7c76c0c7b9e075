package io.askpipe.ingest.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** The 202 answer to an accepted ask: {@code {request_id, status: "queued", status_url}}. */
public final class AcceptedResponse {
    /** Where the client polls an accepted ask (the result store's route), before its id. */
    private static final String STATUS_PATH = "/v1/ask/";

    private AcceptedResponse() {}

    /** The URL the client polls for the ask {@code requestId}. */
    public static String statusUrl(String requestId) {
        return STATUS_PATH + requestId;
    }

    /** The JSON body of the 202 for {@code ask}, the same on the first answer and every replay. */
    public static String body(AskRequest ask) {
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
