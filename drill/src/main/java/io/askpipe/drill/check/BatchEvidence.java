package io.askpipe.drill.check;

import io.askpipe.drill.load.BatchState;
import io.askpipe.drill.load.LlmServer;
import io.askpipe.drill.report.DrillReport;
import io.askpipe.drill.report.DrillReport.BackendCalls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a drill found of its batch, from each witness: the batch object, its output and error
 * files, the asks on the topics of asks, and the LLM's calls; and the counts its invariants take
 * from them. Lines are matched to asks and calls by their prompts, each line's its own.
 *
 * @param prompts each line's prompt, by {@code custom_id}: the input
 * @param state the batch as last retrieved; empty if it was never created
 * @param seconds from its creation to its end as the drill saw it, if it ended
 * @param output the lines of its output file
 * @param errors the lines of its error file
 * @param queued the request ids each line's prompt was published under to the topics of asks, by prompt
 * @param callStarts when each call the drill's LLM received for a line's prompt started (epoch
 *     ms), by prompt; empty when the deployment's own backends answered
 * @param calledAs the request ids ({@code X-Request-Id}) the LLM was called under, by prompt;
 *     empty when the deployment's own backends answered
 */
public record BatchEvidence(
        Map<String, String> prompts,
        Optional<BatchState> state,
        OptionalDouble seconds,
        List<BatchFileLine> output,
        List<BatchFileLine> errors,
        Map<String, Set<String>> queued,
        Optional<Map<String, List<Long>>> callStarts,
        Optional<Map<String, Set<String>>> calledAs) {
    /** How many lines of each kind {@link #findings()} names. */
    private static final int FINDINGS_PER_KIND = 10;

    public int lines() {
        return prompts.size();
    }

    /** Its status as last retrieved, {@code not_created} if it never was. */
    public String status() {
        return state.map(BatchState::status).orElse("not_created");
    }

    /** 1 unless the batch ended {@code completed}. */
    public long notCompleted() {
        return status().equals("completed") ? 0 : 1;
    }

    /** Lines of the input with no line in either file. */
    public long missing() {
        Map<String, Integer> found = linesByCustomId();
        return prompts.keySet().stream().filter(id -> !found.containsKey(id)).count();
    }

    /** Lines of the input with more than one line across both files. */
    public long duplicated() {
        return linesByCustomId().entrySet().stream()
                .filter(e -> prompts.containsKey(e.getKey()) && e.getValue() > 1)
                .count();
    }

    /** Lines of the files whose {@code custom_id} is none of the input's. */
    public long notInInput() {
        return fileLines().filter(line -> !prompts.containsKey(line.customId())).count();
    }

    /**
     * How far {@code request_counts} is off the files: |total - lines| + |completed - output
     * lines| + |failed - error lines|.
     */
    public long requestCountsOff() {
        long total = state.map(BatchState::total).orElse(0L);
        long completed = state.map(BatchState::completed).orElse(0L);
        long failed = state.map(BatchState::failed).orElse(0L);
        return Math.abs(total - lines()) + Math.abs(completed - output.size()) + Math.abs(failed - errors.size());
    }

    /**
     * Output lines of the input whose response is not a {@code chat.completion} answered 200 under
     * a request id; when the drill sees the LLM, also those whose answer is not the LLM's to the
     * line's prompt, or whose prompt the LLM never received.
     */
    public long wrongAnswers() {
        return wrongAnswerLines().count();
    }

    /** Error-file lines without an error status, a request id and OpenAI's error object as the body. */
    public long errorsWithoutStatusOrBody() {
        return errors.stream().filter(line -> !line.hasErrorStatusAndBody()).count();
    }

    /**
     * {@code custom_id}s of the files whose lines do not name exactly one request id, or whose
     * request id another {@code custom_id} also has.
     */
    public long requestIdsNotOnePerLine() {
        return requestIdFaults().size();
    }

    /**
     * Lines of the input whose prompt was published to the topics of asks, or called at the LLM,
     * under a request id other than the one its file line names: a line that became a second ask.
     */
    public long linesWithAnotherAsk() {
        return anotherAsk().size();
    }

    /**
     * Calls of a line's prompt that started more than {@link Evidence#CALL_SLACK_MS} after the
     * batch's window ended ({@code expires_at}), every line's deadline; empty when the drill does
     * not see the LLM or the batch was never created.
     */
    public OptionalLong callsAfterDeadline() {
        if (callStarts.isEmpty() || state.isEmpty()) {
            return OptionalLong.empty();
        }
        long bound = state.get().expiresAtSeconds() * 1000 + Evidence.CALL_SLACK_MS;
        Map<String, List<Long>> starts = callStarts.get();
        return OptionalLong.of(prompts.values().stream()
                .flatMap(prompt -> starts.getOrDefault(prompt, List.of()).stream())
                .filter(start -> start > bound)
                .count());
    }

    /** What the lines cost the drill's LLM, a line counted as an ask; empty when it does not see it. */
    public Optional<BackendCalls> backendCalls() {
        return callStarts.map(starts -> BackendCalls.of(
                prompts.values().stream()
                        .mapToLong(p -> starts.getOrDefault(p, List.of()).size())
                        .sum(),
                prompts.values().stream()
                        .mapToInt(p -> starts.getOrDefault(p, List.of()).size())));
    }

    /** The batch's section of the report. */
    public DrillReport.Batch report() {
        return DrillReport.Batch.of(
                lines(),
                state.map(BatchState::id).orElse(null),
                status(),
                seconds.orElse(0),
                new DrillReport.RequestCounts(
                        state.map(BatchState::total).orElse(0L),
                        state.map(BatchState::completed).orElse(0L),
                        state.map(BatchState::failed).orElse(0L)),
                output.size(),
                errors.size(),
                (int) missing(),
                (int) duplicated(),
                backendCalls().orElse(null));
    }

    /**
     * A few lines of each fault found, each naming the line, its request id and what is wrong, so
     * that a failed check can be traced in the services' logs.
     */
    public List<String> findings() {
        List<String> found = new ArrayList<>();
        Map<String, Integer> byId = linesByCustomId();
        prompts.keySet().stream()
                .filter(id -> !byId.containsKey(id))
                .limit(FINDINGS_PER_KIND)
                .forEach(id -> found.add("missing " + id));
        byId.entrySet().stream()
                .filter(e -> e.getValue() > 1 || !prompts.containsKey(e.getKey()))
                .limit(FINDINGS_PER_KIND)
                .forEach(e -> found.add((prompts.containsKey(e.getKey()) ? "duplicated " : "not in the input ")
                        + e.getKey() + " in " + e.getValue() + " lines"));
        wrongAnswerLines()
                .limit(FINDINGS_PER_KIND)
                .forEach(line -> found.add("wrong answer " + line.customId() + " request_id="
                        + line.requestId().orElse("(none)") + " status " + line.statusCode() + " answer "
                        + line.answer().map(a -> "'" + a + "'").orElse("(none)")));
        errors.stream()
                .filter(line -> !line.hasErrorStatusAndBody())
                .limit(FINDINGS_PER_KIND)
                .forEach(line -> found.add("error line without status or body " + line.customId() + " status "
                        + line.statusCode() + " error " + line.errorCode().orElse("(none)")));
        requestIdFaults().stream().limit(FINDINGS_PER_KIND).forEach(found::add);
        anotherAsk().stream().limit(FINDINGS_PER_KIND).forEach(found::add);
        callsAfterDeadline().ifPresent(late -> {
            if (late > 0) {
                found.add(late + " calls after the window's end "
                        + Instant.ofEpochSecond(state.orElseThrow().expiresAtSeconds()));
            }
        });
        return found;
    }

    private Stream<BatchFileLine> fileLines() {
        return Stream.concat(output.stream(), errors.stream());
    }

    private Map<String, Integer> linesByCustomId() {
        Map<String, Integer> counts = new HashMap<>();
        fileLines().forEach(line -> counts.merge(line.customId(), 1, Integer::sum));
        return counts;
    }

    private Stream<BatchFileLine> wrongAnswerLines() {
        return output.stream()
                .filter(line -> prompts.containsKey(line.customId()))
                .filter(line -> {
                    String prompt = prompts.get(line.customId());
                    Optional<String> answer = line.answer();
                    if (answer.isEmpty()) {
                        return true;
                    }
                    return callStarts.isPresent()
                            && (!answer.get().equals(LlmServer.answer(prompt))
                                    || callStarts
                                            .get()
                                            .getOrDefault(prompt, List.of())
                                            .isEmpty());
                });
    }

    /** Each {@code custom_id} whose request ids are not one of its own, described. */
    private List<String> requestIdFaults() {
        Map<String, Set<String>> idsByLine = new HashMap<>();
        Map<String, Set<String>> linesById = new HashMap<>();
        fileLines().forEach(line -> {
            Set<String> ids = idsByLine.computeIfAbsent(line.customId(), id -> new HashSet<>());
            line.requestId().ifPresentOrElse(ids::add, () -> ids.add(""));
            line.requestId()
                    .ifPresent(id ->
                            linesById.computeIfAbsent(id, i -> new HashSet<>()).add(line.customId()));
        });
        List<String> faults = new ArrayList<>();
        idsByLine.forEach((customId, ids) -> {
            boolean shared = ids.stream()
                    .anyMatch(id -> linesById.getOrDefault(id, Set.of()).size() > 1);
            if (ids.size() != 1 || ids.contains("") || shared) {
                faults.add("request ids " + customId + " " + ids + (shared ? ", shared with another line" : ""));
            }
        });
        return faults;
    }

    /** Each line of the input that became another ask than its file line's, described. */
    private List<String> anotherAsk() {
        Map<String, String> requestIds = new HashMap<>();
        fileLines().forEach(line -> line.requestId().ifPresent(id -> requestIds.putIfAbsent(line.customId(), id)));
        List<String> faults = new ArrayList<>();
        prompts.forEach((customId, prompt) -> {
            String own = requestIds.get(customId);
            if (own == null) {
                return; // missing from the files, or without a response: counted by those checks
            }
            Set<String> others = new HashSet<>(queued.getOrDefault(prompt, Set.of()));
            calledAs.ifPresent(called -> others.addAll(called.getOrDefault(prompt, Set.of())));
            others.remove(own);
            if (!others.isEmpty()) {
                faults.add("another ask " + customId + " request_id=" + own + " also queued or called as " + others);
            }
        });
        return faults;
    }
}
