package io.askpipe.drill.check;

import io.askpipe.drill.deploy.ServiceProcess;
import io.askpipe.drill.report.DrillReport.FaultCount;
import io.askpipe.drill.report.DrillReport.Faults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The faults a drill injected. On a deployment it runs, every {@code chaos: injected <fault> at
 * <place>} line of the services' logs, with a fingerprint of the distinct (fault, place) pairs; on a
 * running deployment, whose logs it cannot read, the growth of {@code chaos_events_total} on its
 * {@code /metrics} since the ledger was opened, without places.
 */
public final class FaultLedger {
    /** The line chaos mode logs for every injected fault. */
    private static final Pattern INJECTED = Pattern.compile("chaos: injected (\\S+) at (\\S+)");
    /** A {@code chaos_events_total} sample of a Prometheus scrape: its fault and its value. */
    private static final Pattern CHAOS_EVENTS =
            Pattern.compile("(?m)^chaos_events_total\\{[^}]*fault=\"([a-z_]+)\"[^}]*} ([0-9.eE+-]+)$");

    private final List<Path> logs;
    private final Optional<URI> metrics;
    private final Map<String, Double> before;

    private FaultLedger(List<Path> logs, Optional<URI> metrics, Map<String, Double> before) {
        this.logs = logs;
        this.metrics = metrics;
        this.before = before;
    }

    /** A ledger of the faults the logs of {@code services} tell. */
    public static FaultLedger ofLogs(List<ServiceProcess> services) {
        return new FaultLedger(services.stream().map(ServiceProcess::log).toList(), Optional.empty(), Map.of());
    }

    /** A ledger of the faults counted on {@code metrics} from now on: scrapes it once as the baseline. */
    public static FaultLedger ofMetrics(URI metrics) throws IOException, InterruptedException {
        return new FaultLedger(List.of(), Optional.of(metrics), chaosEvents(scrape(metrics)));
    }

    /** The faults injected so far. */
    public Faults read() throws IOException, InterruptedException {
        if (metrics.isPresent()) {
            return since(before, chaosEvents(scrape(metrics.get())));
        }
        try (Stream<String> lines = logs.stream().filter(Files::exists).flatMap(FaultLedger::lines)) {
            return tally(lines);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The faults {@code lines} of the services' logs tell, with their fingerprint over places. */
    static Faults tally(Stream<String> lines) {
        Map<String, Integer> strikes = new TreeMap<>();
        Map<String, Set<String>> places = new TreeMap<>();
        lines.forEach(line -> {
            Matcher m = INJECTED.matcher(line);
            if (m.find()) {
                strikes.merge(m.group(1), 1, Integer::sum);
                places.computeIfAbsent(m.group(1), f -> new TreeSet<>()).add(m.group(2));
            }
        });
        Map<String, FaultCount> byType = new TreeMap<>();
        int distinct = 0;
        MessageDigest digest = sha256();
        for (var fault : places.entrySet()) {
            byType.put(
                    fault.getKey(),
                    new FaultCount(strikes.get(fault.getKey()), fault.getValue().size()));
            distinct += fault.getValue().size();
            for (String place : fault.getValue()) {
                digest.update((fault.getKey() + " " + place + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return new Faults(
                byType, distinct, HexFormat.of().formatHex(digest.digest()).substring(0, 16));
    }

    /** {@code chaos_events_total} by fault, from a Prometheus scrape. */
    static Map<String, Double> chaosEvents(String scrape) {
        Map<String, Double> counts = new TreeMap<>();
        Matcher m = CHAOS_EVENTS.matcher(scrape);
        while (m.find()) {
            counts.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
        return counts;
    }

    /** The strikes by fault between two readings of {@code chaos_events_total}: no places, no fingerprint. */
    static Faults since(Map<String, Double> before, Map<String, Double> after) {
        Map<String, FaultCount> byType = new TreeMap<>();
        after.forEach((fault, count) -> {
            int strikes = (int) (count - before.getOrDefault(fault, 0.0));
            if (strikes > 0) {
                byType.put(fault, new FaultCount(strikes, 0));
            }
        });
        return new Faults(byType, 0, null);
    }

    private static String scrape(URI metrics) throws IOException, InterruptedException {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static Stream<String> lines(Path log) {
        try {
            return Files.lines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
