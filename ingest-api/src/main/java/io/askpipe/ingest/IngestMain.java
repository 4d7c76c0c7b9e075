package io.askpipe.ingest;

import io.askpipe.common.chaos.Chaos;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.log.LogSettings;
import io.askpipe.common.service.Metrics;
import io.askpipe.common.service.ServiceRunner;
import io.askpipe.common.service.Startup;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/** Runs the ingest API as its own process. Wiring only. */
public final class IngestMain {
    private IngestMain() {}

    /** Every setting the ingest API's process reads, each once. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                LogSettings.settings(), IngestConfig.settings(), Startup.settings(), Chaos.Settings.settings());
    }

    public static void main(String[] args) {
        ServiceRunner.exitOnFailure("ingest-api", () -> {
            Env env = Env.system();
            LogSettings.apply(env, "ingest-api");
            IngestConfig config = IngestConfig.fromEnv(env);
            Startup startup = Startup.fromEnv("ingest-api", env);
            PrometheusMeterRegistry registry = Metrics.prometheus("ingest-api");
            IngestService service = IngestService.start(config, registry, startup, Chaos.fromEnv(env, registry));
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
