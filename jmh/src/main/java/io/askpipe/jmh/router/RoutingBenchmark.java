package io.askpipe.jmh.router;

import io.askpipe.common.config.Env;
import io.askpipe.jmh.Payloads;
import io.askpipe.router.route.Routing;
import io.askpipe.schemas.AskRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Routing#resolve}, which the router calls once per ask, configured as a deployment is by
 * default (the thirteen model patterns of {@link io.askpipe.common.catalog.BackendCatalog#DEFAULT_MODEL_ROUTES}, {@code
 * PROMPT_BACKEND=dryrun}) plus a fallback chain {@code openai:llama,llama:dryrun}. The cases are
 * an explicit backend (no pattern tried), a model that matches the first pattern, one that
 * matches only the last, and one that matches none (all thirteen tried, then the default).
 *
 * <p>Baseline: a {@link HashMap} lookup of the same route by model name, i.e. what a cache of
 * resolved routes would cost; the ratio says whether caching them would be worth anything.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RoutingBenchmark {
    /** The configuration the benchmark routes with. */
    static final Map<String, String> ENV =
            Map.of("PROMPT_BACKEND", "dryrun", "ROUTER_FALLBACKS", "openai:llama,llama:dryrun");

    @Param({"explicit-backend", "first-pattern", "last-pattern", "no-match"})
    public String ask;

    private Routing routing;
    private AskRequest request;
    private Map<String, Routing.Route> cache;

    @Setup
    public void setUp() {
        routing = Routing.fromEnv(Env.of(ENV));
        request = request(ask);
        // the routes of a few models in use, as such a cache would hold them, and the ask's own
        cache = new HashMap<>();
        for (String model :
                new String[] {"gpt-4o", "gpt-4o-mini", "llama3.2:1b", "claude-sonnet-5-5", "gemini-2.5-pro"}) {
            cache.put(model, routing.resolve(withModel(model, null)));
        }
        cache.put(request.model(), routing.resolve(request));
    }

    /** The ask of case {@code name}: {@link Payloads#request()} with its model and backend. */
    static AskRequest request(String name) {
        return switch (name) {
            case "explicit-backend" -> withModel("llama3.2:1b", "llama");
            case "first-pattern" -> withModel("gpt-4o-mini", null);
            case "last-pattern" -> withModel("claude-sonnet-5-5", null);
            case "no-match" -> withModel("gemini-2.5-pro", null);
            default -> throw new IllegalArgumentException("no such case: " + name);
        };
    }

    private static AskRequest withModel(String model, String backend) {
        AskRequest ask = Payloads.request();
        return new AskRequest(
                ask.requestId(),
                ask.userId(),
                ask.idempotencyKey(),
                ask.prompt(),
                model,
                backend,
                ask.acceptedAt(),
                ask.callbackUrl(),
                ask.traceparent());
    }

    /** The router's choice of backends for the ask (a {@link Routing.Route}). */
    @Benchmark
    public Object resolve() {
        return routing.resolve(request);
    }

    /** Baseline: the same route looked up in a map by the ask's model. */
    @Benchmark
    public Object resolveCachedBaseline() {
        return cache.get(request.model());
    }
}
