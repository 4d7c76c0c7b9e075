package io.askpipe.drill;

import io.askpipe.common.fault.Fault;
import io.askpipe.drill.check.StoreRows;
import io.askpipe.drill.deploy.Deployment;
import io.askpipe.drill.load.LlmServer;
import io.askpipe.drill.load.Load;
import io.askpipe.embedded.Directories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Worker scale-out: the same workload drained by one router worker process, then by two, each
 * worker limited to {@code IN_FLIGHT} asks at once against an LLM that takes one second, so that
 * one worker can finish at most {@code IN_FLIGHT} asks a second and a second worker can double it;
 * then a third run with two workers of which one leaves at a quarter of the asks and comes back at
 * 60 %, which must lose nothing. Each run is a fresh multi-process deployment of the drill's kind
 * (no chaos), warmed up with two rounds of asks per worker before the clock starts. Prints the
 * time from the first submit to the last answer stored, and the ratio.
 *
 * <p>{@code ./askpipe bench ScaleOut [ASKS] [IN_FLIGHT]} (defaults 3000 and 50)
 */
public final class ScaleOut {
    private static final Duration LLM_LATENCY = Duration.ofSeconds(1);

    private ScaleOut() {}

    record Run(String what, int accepted, int answered, double seconds) {
        double rate() {
            return answered / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int asks = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        List<Run> runs = new ArrayList<>();
        runs.add(run("1 worker", 1, asks, inFlight, false));
        runs.add(run("2 workers", 2, asks, inFlight, false));
        runs.add(run("2 workers, one leaves and returns", 2, asks, inFlight, true));
        System.out.printf(
                "%nScaleOut: %d asks, LLM latency %d ms, ROUTER_MAX_IN_FLIGHT %d per worker%n",
                asks, LLM_LATENCY.toMillis(), inFlight);
        System.out.printf("%-36s %9s %9s %10s %10s%n", "run", "accepted", "answered", "seconds", "asks/s");
        for (Run run : runs) {
            System.out.printf(
                    "%-36s %9d %9d %10.1f %10.1f%n",
                    run.what(), run.accepted(), run.answered(), run.seconds(), run.rate());
        }
        double speedup = runs.get(0).seconds() / runs.get(1).seconds();
        System.out.printf("two workers finish %.2fx faster than one%n", speedup);
        boolean lostNothing = runs.stream().allMatch(r -> r.answered() == r.accepted() && r.accepted() == asks);
        System.out.println(lostNothing ? "every accepted ask answered in every run" : "ASKS LOST");
        System.exit(lostNothing ? 0 : 1);
    }

    private static Run run(String what, int workers, int asks, int inFlight, boolean elastic) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--workers",
                Integer.toString(workers),
                "--kill-worker-every",
                "0",
                "--webhooks",
                "false",
                "--vendor-ms",
                Long.toString(LLM_LATENCY.toMillis())));
        for (Fault fault : Fault.values()) {
            args.addAll(List.of("--" + fault.label().replace('_', '-'), "0"));
        }
        DrillOptions options = DrillOptions.parse(args.toArray(String[]::new));
        Path dir = Files.createTempDirectory("askpipe-scale-out-");
        System.out.printf("ScaleOut: %s: starting the deployment in %s%n", what, dir);
        try (LlmServer llm = LlmServer.start(LLM_LATENCY);
                Deployment deployment = Deployment.start(
                        dir,
                        options.workers(),
                        options.chaosEnv(),
                        llm.baseUrl(),
                        Map.of(
                                "ROUTER_MAX_IN_FLIGHT",
                                Integer.toString(inFlight),
                                "ROUTER_MAX_POLL_RECORDS",
                                Integer.toString(inFlight)))) {
            // warm up first: JIT, connections, the first fetches; not part of the measured drain
            int warm = 2 * inFlight * workers;
            Load warmUp = new Load(deployment.ingest(), deployment.apiKey(), "warm-" + workers, null, Load.Plan.NONE);
            warmUp.run(warm, 64);
            while (StoreRows.answered(deployment, warmUp.keyPrefix()) < warmUp.acceptedCount()) {
                Thread.sleep(100);
            }
            Load load = new Load(deployment.ingest(), deployment.apiKey(), "scale-" + workers, null, Load.Plan.NONE);
            long started = System.nanoTime();
            Thread submitter = Thread.ofVirtual().start(() -> {
                try {
                    load.run(asks, 64);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            boolean left = false;
            boolean returned = false;
            int answered = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (System.nanoTime() < deadline && (submitter.isAlive() || answered < load.acceptedCount())) {
                Thread.sleep(100);
                answered = StoreRows.answered(deployment, load.keyPrefix());
                if (elastic && !left && answered >= asks / 4) {
                    System.out.printf("ScaleOut: %s: %d answered, router-worker-2 leaves%n", what, answered);
                    deployment.workers().get(1).stop();
                    left = true;
                }
                if (elastic && left && !returned && answered >= asks * 6 / 10) {
                    System.out.printf("ScaleOut: %s: %d answered, router-worker-2 returns%n", what, answered);
                    deployment.workers().get(1).start();
                    returned = true;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            submitter.join();
            System.out.printf(
                    "ScaleOut: %s: %d of %d answered in %.1f s%n", what, answered, load.acceptedCount(), seconds);
            return new Run(what, load.acceptedCount(), answered, seconds);
        } finally {
            Directories.deleteRecursively(dir); // after the deployment and its broker stopped
        }
    }
}
