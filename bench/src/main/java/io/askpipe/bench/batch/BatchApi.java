package io.askpipe.bench.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * The benchmark's calls to ingest's Files and Batches API with the JDK's HTTP client: the input
 * file is uploaded from disk as a stream, and an output file is read as a stream and counted, never
 * held whole.
 */
final class BatchApi {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final URI ingest;
    private final String bearer;

    BatchApi(URI ingest, String apiKey) {
        this.ingest = ingest;
        this.bearer = "Bearer " + apiKey;
    }

    /** What a download read: its bytes and its lines. */
    record Download(long bytes, long lines) {}

    /** Uploads {@code file} with purpose {@code batch}; returns its file id. */
    String upload(Path file) throws IOException, InterruptedException {
        String boundary = "bench-" + UUID.randomUUID();
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + file.getFileName() + "\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
                HttpRequest.BodyPublishers.ofString(head),
                HttpRequest.BodyPublishers.ofFile(file),
                HttpRequest.BodyPublishers.ofString(tail));
        return send(request("/v1/files")
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(body))
                .path("id")
                .asText();
    }

    /** Creates a batch of the uploaded {@code inputFileId} with a window of 24 hours; returns its id. */
    String create(String inputFileId) throws IOException, InterruptedException {
        ObjectNode body = Json.mapper()
                .createObjectNode()
                .put("input_file_id", inputFileId)
                .put("endpoint", "/v1/chat/completions")
                .put("completion_window", "24h");
        return send(request("/v1/batches")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())))
                .path("id")
                .asText();
    }

    /** Reads the content of file {@code fileId} to its end, counting its bytes and lines. */
    Download download(String fileId) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(
                request("/v1/files/" + fileId + "/content").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream content = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("GET /v1/files/" + fileId + "/content answered " + response.statusCode() + ": "
                        + new String(content.readAllBytes(), StandardCharsets.UTF_8));
            }
            byte[] buffer = new byte[64 * 1024];
            long bytes = 0;
            long lines = 0;
            for (int n = content.read(buffer); n != -1; n = content.read(buffer)) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
            return new Download(bytes, lines);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(ingest.resolve(path))
                .timeout(TIMEOUT)
                .header("Authorization", bearer)
                .header("Accept", "application/json");
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(response.request().method() + " "
                    + response.request().uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return Json.mapper().readTree(response.body());
    }
}
