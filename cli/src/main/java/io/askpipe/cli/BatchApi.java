package io.askpipe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;

/**
 * The calls the batch commands make to askpipe's OpenAI-compatible Files and Batches API, with the
 * JDK's HTTP client: a file is uploaded from disk and downloaded to disk as a stream, never read
 * whole into memory. Public for the chaos drill, whose batch mode is a client of the same API.
 */
public final class BatchApi {
    /** A failure the API answered, with its status and the message of OpenAI's error object. */
    public static final class Failure extends IOException {
        private final int status;

        Failure(int status, String message) {
            super(status + ": " + message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String apiKey;

    /** The API at {@code base} (e.g. {@code http://127.0.0.1:8080}), called with {@code apiKey}. */
    public BatchApi(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    /** Uploads {@code file} with purpose {@code batch}; returns the file object. */
    public JsonNode upload(Path file) throws IOException, InterruptedException {
        String boundary = "askpipe-" + UUID.randomUUID();
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\""
                + file.getFileName().toString().replace("\"", "") + "\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
                HttpRequest.BodyPublishers.ofString(head),
                HttpRequest.BodyPublishers.ofFile(file),
                HttpRequest.BodyPublishers.ofString(tail));
        return send(request("/v1/files")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .timeout(Duration.ofMinutes(10))
                .POST(body));
    }

    /** Creates a batch of the uploaded {@code inputFileId} over the chat completions endpoint. */
    public JsonNode create(String inputFileId, String completionWindow) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode()
                .put("input_file_id", inputFileId)
                .put("endpoint", "/v1/chat/completions")
                .put("completion_window", completionWindow);
        return send(request("/v1/batches")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** The batch {@code id}. */
    public JsonNode retrieve(String id) throws IOException, InterruptedException {
        return send(request("/v1/batches/" + encode(id)).GET());
    }

    /** Asks for the batch {@code id} to be cancelled; returns it. */
    JsonNode cancel(String id) throws IOException, InterruptedException {
        return send(request("/v1/batches/" + encode(id) + "/cancel").POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** A page of the caller's batches, newest first, after the batch {@code after} if not null. */
    JsonNode list(int limit, String after) throws IOException, InterruptedException {
        String query = "?limit=" + limit + (after == null ? "" : "&after=" + encode(after));
        return send(request("/v1/batches" + query).GET());
    }

    /** Downloads the content of the file {@code id} to {@code target}, streamed. */
    public void download(String id, Path target) throws IOException, InterruptedException {
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        HttpResponse<Path> response = reach(
                request("/v1/files/" + encode(id) + "/content")
                        .timeout(Duration.ofMinutes(10))
                        .GET(),
                HttpResponse.BodyHandlers.ofFile(partial));
        if (response.statusCode() != 200) {
            String detail = Files.readString(partial);
            Files.deleteIfExists(partial);
            throw failure(response.statusCode(), detail);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", "application/json");
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = reach(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            throw failure(response.statusCode(), response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Sends {@code request}; a server that cannot be reached is said so, with its address. */
    private <T> HttpResponse<T> reach(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        try {
            return http.send(request.build(), handler);
        } catch (ConnectException e) {
            throw new IOException("cannot reach askpipe at " + base + " (ASKPIPE_URL): is it running?", e);
        }
    }

    /** The message of OpenAI's error object (or a problem's detail) in {@code body}, else the body. */
    private static Failure failure(int status, String body) {
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode message = json.path("error").path("message");
            if (message.isTextual()) {
                return new Failure(status, message.textValue());
            }
            if (json.path("detail").isTextual()) {
                return new Failure(status, json.path("detail").textValue());
            }
        } catch (IOException notJson) {
            // the body as it came
        }
        return new Failure(status, body == null || body.isBlank() ? "(no body)" : body.strip());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
