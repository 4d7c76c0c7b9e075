package io.askpipe.ingest;

import io.askpipe.common.Env;
import io.askpipe.common.LogSettings;
import io.askpipe.common.Metrics;
import io.askpipe.common.ServiceRunner;

/** Runs the ingest API as its own process. Wiring only. */
public final class IngestMain {
    private IngestMain() {}

    public static void main(String[] args) {
        LogSettings.apply(Env.system(), "ingest-api");
        IngestConfig config = IngestConfig.fromEnv(Env.system());
        IngestService service = IngestService.start(config);
        ServiceRunner.serve("ingest-api", config.http(), Metrics.prometheus("ingest-api"), service, service::mount);
    }
}
