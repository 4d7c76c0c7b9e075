package io.askpipe.store;

import io.askpipe.common.Env;
import io.askpipe.common.LogSettings;
import io.askpipe.common.Metrics;
import io.askpipe.common.ServiceRunner;
import io.askpipe.common.Startup;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Runs the result store as its own process, serving the read API and, on the operations port, the
 * golden signals. Wiring only.
 */
public final class StoreMain {
    private StoreMain() {}

    public static void main(String[] args) {
        ServiceRunner.exitOnFailure("result-store", () -> {
            Env env = Env.system();
            LogSettings.apply(env, "result-store");
            StoreConfig config = StoreConfig.fromEnv(env);
            Startup startup = Startup.fromEnv("result-store", env);
            PrometheusMeterRegistry registry = Metrics.prometheus("result-store");
            StoreService service = StoreService.start(config, registry, startup);
            ServiceRunner.serve(
                    "result-store",
                    config.http(),
                    config.ops(),
                    registry,
                    service.readiness(),
                    startup,
                    service,
                    service::mount,
                    service::mountOperations);
        });
    }
}
