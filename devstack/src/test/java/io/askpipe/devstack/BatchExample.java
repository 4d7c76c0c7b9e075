package io.askpipe.devstack;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.ObjectMappers;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The README's batch example, whole: with the official OpenAI SDK pointed at askpipe, it uploads a
 * JSONL file of chat requests, runs it as a batch, waits for it to end and prints each custom_id
 * with its answer. {@code ./askpipe example batch} runs it against {@code ./askpipe dev}; its
 * arguments, all optional: the API's base URL ({@code http://127.0.0.1:8080/v1}), the API key (the
 * contents of {@code .askpipe/dev-key}) and the file ({@code questions.jsonl}). The README shows the
 * body of {@link #main} as it is here ({@code BatchExampleTest} keeps them equal).
 */
public final class BatchExample {
    private BatchExample() {}

    public static void main(String[] args) throws Exception {
        // README: begin
        String baseUrl = args.length > 0 ? args[0] : "http://127.0.0.1:8080/v1";
        String apiKey = args.length > 1
                ? args[1]
                : Files.readString(Path.of(".askpipe/dev-key")).strip();
        Path questions = Path.of(args.length > 2 ? args[2] : "questions.jsonl");

        OpenAIClient client =
                OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey(apiKey).build();
        FileObject input = client.files()
                .create(FileCreateParams.builder()
                        .file(questions)
                        .purpose(FilePurpose.BATCH)
                        .build());
        Batch batch = client.batches()
                .create(BatchCreateParams.builder()
                        .inputFileId(input.id())
                        .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                        .completionWindow(BatchCreateParams.CompletionWindow._24H)
                        .build());
        Set<Batch.Status> ended =
                Set.of(Batch.Status.COMPLETED, Batch.Status.FAILED, Batch.Status.EXPIRED, Batch.Status.CANCELLED);
        while (!ended.contains(batch.status())) {
            Thread.sleep(1000);
            batch = client.batches().retrieve(batch.id());
        }
        System.out.println(batch.id() + " " + batch.status());
        if (batch.outputFileId().isPresent()) {
            try (HttpResponse output =
                            client.files().content(batch.outputFileId().get());
                    BufferedReader lines = new BufferedReader(new InputStreamReader(output.body(), UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    // {"id": "batch_req_...", "custom_id": "q1", "response": {"status_code": 200, "body": ...}}
                    JsonNode result = ObjectMappers.jsonMapper().readTree(line);
                    ChatCompletion answer =
                            ObjectMappers.jsonMapper().treeToValue(result.at("/response/body"), ChatCompletion.class);
                    System.out.println(result.get("custom_id").asText() + ": "
                            + answer.choices().get(0).message().content().orElse(""));
                }
            }
        }
        client.close();
        // README: end
    }
}
