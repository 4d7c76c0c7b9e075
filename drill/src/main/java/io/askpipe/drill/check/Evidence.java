package io.askpipe.drill.check;

import io.askpipe.drill.load.Load;
import io.askpipe.drill.load.Submissions;
import io.askpipe.drill.report.DrillReport.Asks;
import io.askpipe.drill.report.DrillReport.BackendCalls;
import io.askpipe.drill.report.DrillReport.Faults;
import io.askpipe.drill.report.DrillReport.Percentiles;
import io.askpipe.drill.report.DrillReport.ProcessLife;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import io.askpipe.drill.report.DrillReport.ServiceMemory;
import io.askpipe.drill.report.DrillReport.Webhooks;
import io.askpipe.schemas.AskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * What a drill found happened, from each of its witnesses, and the counts the report and the
 * invariants take from it.
 *
 * @param clients what the clients submitted and were told
 * @param lateRetriesNotFindingTheirAsk accepted keys submitted once more whose answer named another ask
 * @param rows the result store's rows of the drill's user, by request id, read before any replay
 * @param results every distinct terminal result on {@code ask.results}, by request id, read after it
 * @param llmCallStarts when each call the drill's LLM received started (epoch ms), by prompt;
 *     empty when the deployment's own backends answered
 * @param webhooksExpected whether every ask carried a callback to the drill's receiver
 * @param webhookDeliveries what the receiver got, deliveries by {@code webhook-id}
 * @param processes the supervised processes' starts, kills and crashes, by name
 * @param memory the supervised processes' peak memory and exits by {@link OutOfMemoryError}, by
 *     name; empty against a running deployment
 * @param faults the faults injected
 * @param replay what the replay did, when there was one
 * @param batch what became of the drill's batch, when it ran one
 */
public record Evidence(
        Submissions clients,
        int lateRetriesNotFindingTheirAsk,
        Map<String, StoreRows.Row> rows,
        Map<String, Set<String>> results,
        Optional<Map<String, List<Long>>> llmCallStarts,
        boolean webhooksExpected,
        Map<String, Integer> webhookDeliveries,
        Map<String, ProcessLife> processes,
        Map<String, ServiceMemory> memory,
        Faults faults,
        Optional<ReplayOutcome> replay,
        Optional<BatchEvidence> batch) {
    private static final String CANCELLED = AskStatus.CANCELLED.wireName();

    /**
     * How late a backend call may start after an ask's deadline or acknowledged cancel and still
     * count as started before it: the router decides just before it calls, and the call reaches the
     * drill's LLM a moment later: longer under a loaded machine's scheduling and collections, and
     * on a worker just restarted by the drill, whose first call still loads its HTTP client (one
     * call in 2,000 came more than a second late so on two loaded cores). Each late call is printed
     * ({@link #lateCalls()}) to be traced in the logs.
     */
    public static final long CALL_SLACK_MS = 2_000;

    /** What became of the asks: the clients' counts, and the accepted asks' rows and results. */
    public Asks asks() {
        int succeeded = 0;
        int failed = 0;
        int expired = 0;
        int cancelled = 0;
        int lost = 0;
        for (Load.Accepted ask : clients.accepted()) {
            StoreRows.Row row = rows.get(ask.requestId());
            if (row == null || !row.terminal()) {
                lost++;
            } else if (row.status().equals(AskStatus.SUCCEEDED.wireName())) {
                succeeded++;
            } else if (row.status().equals(AskStatus.EXPIRED.wireName())) {
                expired++;
            } else if (row.status().equals(CANCELLED)) {
                cancelled++;
            } else {
                failed++;
            }
        }
        int conflicting =
                (int) results.values().stream().filter(r -> r.size() > 1).count();
        return new Asks(
                clients.submitted(),
                clients.accepted().size(),
                clients.refused().size(),
                clients.gaveUp(),
                clients.retries(),
                succeeded,
                failed,
                expired,
                cancelled,
                lost,
                conflicting,
                lateRetriesNotFindingTheirAsk);
    }

    /**
     * What the accepted asks cost the drill's LLM (the batch's lines apart: {@link
     * BatchEvidence#backendCalls()}); empty when the deployment's own backends answered.
     */
    public Optional<BackendCalls> backendCalls() {
        Set<String> linePrompts =
                batch.map(b -> Set.copyOf(b.prompts().values())).orElse(Set.of());
        return llmCallStarts.map(starts -> BackendCalls.of(
                starts.entrySet().stream()
                        .filter(calls -> !linePrompts.contains(calls.getKey()))
                        .mapToLong(calls -> calls.getValue().size())
                        .sum(),
                clients.accepted().stream()
                        .mapToInt(ask ->
                                starts.getOrDefault(ask.prompt(), List.of()).size())));
    }

    /**
     * Backend calls that started more than {@link #CALL_SLACK_MS} after their ask's deadline had
     * passed (at the latest, its 202 plus its {@code expires_after}); empty when the drill does not
     * see the backends or no ask carried a deadline.
     */
    public OptionalLong callsAfterDeadline() {
        if (llmCallStarts.isEmpty()
                || clients.accepted().stream()
                        .noneMatch(ask -> ask.latestDeadlineMillis().isPresent())) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(
                lateCalls().stream().filter(line -> line.startsWith("deadline")).count());
    }

    /**
     * Each backend call that started more than {@link #CALL_SLACK_MS} after its ask's deadline or
     * acknowledged cancel, as a line that names the ask, the moment and how late the call came
     * (ms), so that a failed check can be traced in the services' logs.
     */
    public List<String> lateCalls() {
        if (llmCallStarts.isEmpty()) {
            return List.of();
        }
        Map<String, List<Long>> starts = llmCallStarts.get();
        Map<String, Load.Accepted> byId = new HashMap<>();
        clients.accepted().forEach(ask -> byId.put(ask.requestId(), ask));
        List<String> late = new ArrayList<>();
        for (Load.Accepted ask : clients.accepted()) {
            if (ask.latestDeadlineMillis().isPresent()) {
                long bound = ask.latestDeadlineMillis().getAsLong();
                starts.getOrDefault(ask.prompt(), List.of()).stream()
                        .filter(start -> start > bound + CALL_SLACK_MS)
                        .forEach(start -> late.add("deadline " + ask.key() + " request_id=" + ask.requestId()
                                + " deadline_at_latest=" + Instant.ofEpochMilli(bound) + " call "
                                + (start - bound) + " ms after it"));
            }
        }
        for (Load.Cancel cancel : clients.cancels()) {
            Load.Accepted ask = byId.get(cancel.requestId());
            if (cancel.acknowledged() && ask != null) {
                starts.getOrDefault(ask.prompt(), List.of()).stream()
                        .filter(start -> start > cancel.answeredAtMillis() + CALL_SLACK_MS)
                        .forEach(start -> late.add("cancel " + ask.key() + " request_id=" + ask.requestId()
                                + " acknowledged_at=" + Instant.ofEpochMilli(cancel.answeredAtMillis())
                                + " call " + (start - cancel.answeredAtMillis()) + " ms after it"));
            }
        }
        return late;
    }

    /**
     * Backend calls that started more than {@link #CALL_SLACK_MS} after askpipe acknowledged their
     * ask's cancel (200 or 202); empty when the drill does not see the backends or cancelled none.
     */
    public OptionalLong callsAfterCancel() {
        if (llmCallStarts.isEmpty() || clients.cancels().isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(
                lateCalls().stream().filter(line -> line.startsWith("cancel")).count());
    }

    /**
     * Asks whose cancel was answered 200 (cancelled) but whose row says otherwise; empty when the
     * drill cancelled none.
     */
    public OptionalLong cancelledButShownOtherwise() {
        if (clients.cancels().isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(clients.cancels().stream()
                .filter(cancel -> cancel.status() == 200)
                .filter(cancel -> {
                    StoreRows.Row row = rows.get(cancel.requestId());
                    return row == null || !row.status().equals(CANCELLED);
                })
                .count());
    }

    /**
     * The service processes' exits caused by an {@link OutOfMemoryError}, all together; empty when
     * the drill ran no processes.
     */
    public OptionalLong outOfMemoryExits() {
        if (memory.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(memory.values().stream()
                .mapToLong(ServiceMemory::outOfMemoryExits)
                .sum());
    }

    /** The accepted asks' webhooks: expected, delivered, missing, and duplicate deliveries. */
    public Webhooks webhooks() {
        int expected = webhooksExpected ? clients.accepted().size() : 0;
        int delivered = 0;
        for (Load.Accepted ask : clients.accepted()) {
            delivered += webhooksExpected && webhookDeliveries.containsKey("msg_" + ask.requestId()) ? 1 : 0;
        }
        int duplicateIds =
                (int) webhookDeliveries.values().stream().filter(n -> n > 1).count();
        int deliveries =
                webhookDeliveries.values().stream().mapToInt(Integer::intValue).sum();
        return new Webhooks(expected, delivered, expected - delivered, duplicateIds, deliveries);
    }

    /** From each accepted ask's first try to its 202, in milliseconds. */
    public Percentiles submitMs() {
        return Percentiles.of(clients.submitMicros(), 1_000.0);
    }

    /** From each answered ask's first try to its row's last update, in milliseconds. */
    public Percentiles toResultMs() {
        Histogram toResult = new Histogram(3);
        for (Load.Accepted ask : clients.accepted()) {
            StoreRows.Row row = rows.get(ask.requestId());
            if (row != null && row.terminal()) {
                toResult.recordValue(Math.max(0, row.updatedAtMillis() - ask.submittedAtMillis()));
            }
        }
        return Percentiles.of(toResult, 1.0);
    }
}
