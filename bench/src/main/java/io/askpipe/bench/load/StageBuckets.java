package io.askpipe.bench.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reading of the stack's {@code ask_stage_seconds} histograms from its {@code /metrics}: the
 * cumulative count of each bucket (upper bound in seconds), by stage.
 */
record StageBuckets(Map<String, Map<Double, Double>> byStage) {
    /** One bucket line of {@code ask_stage_seconds}: stage, upper bound, cumulative count. */
    private static final Pattern STAGE_BUCKET =
            Pattern.compile("^ask_stage_seconds_bucket\\{.*stage=\"([^\"]+)\".*le=\"([^\"]+)\".*\\} (\\S+)$");

    /** Reads the stack's {@code /metrics} once. */
    static StageBuckets scrape(StackProcess stack) throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return parse(http.send(
                        HttpRequest.newBuilder(URI.create(stack.opsUrl + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    /** The buckets in a Prometheus scrape. */
    static StageBuckets parse(String metrics) {
        Map<String, Map<Double, Double>> stages = new TreeMap<>();
        metrics.lines()
                .map(STAGE_BUCKET::matcher)
                .filter(Matcher::matches)
                .forEach(m -> stages.computeIfAbsent(m.group(1), stage -> new TreeMap<>())
                        .merge(
                                m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2)),
                                Double.parseDouble(m.group(3)),
                                Double::sum));
        return new StageBuckets(stages);
    }

    /** What {@code stage}'s buckets gained since {@code before}. */
    Map<Double, Double> since(StageBuckets before, String stage) {
        Map<Double, Double> earlier = before.byStage.getOrDefault(stage, Map.of());
        Map<Double, Double> delta = new TreeMap<>();
        byStage.getOrDefault(stage, Map.of())
                .forEach((le, count) -> delta.put(le, count - earlier.getOrDefault(le, 0.0)));
        return delta;
    }

    /** The smallest bucket bound of {@code buckets} that holds {@code quantile} of the observations. */
    static double bound(Map<Double, Double> buckets, double quantile) {
        double total = buckets.get(Double.POSITIVE_INFINITY);
        for (var bucket : buckets.entrySet()) {
            if (bucket.getValue() >= quantile * total) {
                return bucket.getKey();
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
