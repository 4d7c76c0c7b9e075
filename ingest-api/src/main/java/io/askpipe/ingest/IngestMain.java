package io.askpipe.ingest;

import io.askpipe.common.Env;
import io.askpipe.common.LogSettings;
import io.askpipe.common.Metrics;
import io.askpipe.common.ServiceRunner;
import io.askpipe.common.Startup;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Runs the ingest API as its own process. Wiring only. */
public final class IngestMain {
    private IngestMain() {}

    public static void main(String[] args) {
        ServiceRunner.exitOnFailure("ingest-api", () -> {
            Env env = Env.system();
            LogSettings.apply(env, "ingest-api");
            IngestConfig config = IngestConfig.fromEnv(env);
            Startup startup = Startup.fromEnv("ingest-api", env);
            PrometheusMeterRegistry registry = Metrics.prometheus("ingest-api");
            IngestService service = IngestService.start(config, registry, startup);
            ServiceRunner.serve(
                    "ingest-api",
                    config.http(),
                    config.ops(),
                    registry,
                    service.readiness(),
                    startup,
                    service,
                    service::mount,
                    ops -> {});
        });
    }
}
