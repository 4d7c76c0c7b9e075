package io.askpipe.ingest;

import io.askpipe.common.Env;
import io.askpipe.common.LogSettings;
import io.askpipe.common.Metrics;
import io.askpipe.common.ServiceRunner;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Runs the ingest API as its own process. Wiring only. */
public final class IngestMain {
    private IngestMain() {}

    public static void main(String[] args) {
        LogSettings.apply(Env.system(), "ingest-api");
        IngestConfig config = IngestConfig.fromEnv(Env.system());
        PrometheusMeterRegistry registry = Metrics.prometheus("ingest-api");
        IngestService service = IngestService.start(config, registry);
        ServiceRunner.serve("ingest-api", config.http(), registry, service.readiness(), service, service::mount);
    }
}
