package io.askpipe.store;

import io.askpipe.common.chaos.Chaos;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.log.LogSettings;
import io.askpipe.common.service.Metrics;
import io.askpipe.common.service.ServiceRunner;
import io.askpipe.common.service.Startup;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/**
 * Runs the result store as its own process, serving the read API and, on the operations port, the
 * golden signals. Wiring only.
 */
public final class StoreMain {
    private StoreMain() {}

    /** Every setting the result store's process reads, each once. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                LogSettings.settings(), StoreConfig.settings(), Startup.settings(), Chaos.Settings.settings());
    }

    public static void main(String[] args) {
        ServiceRunner.exitOnFailure("result-store", () -> {
            Env env = Env.system();
            LogSettings.apply(env, "result-store");
            StoreConfig config = StoreConfig.fromEnv(env);
            Startup startup = Startup.fromEnv("result-store", env);
            PrometheusMeterRegistry registry = Metrics.prometheus("result-store");
            StoreService service = StoreService.start(config, registry, startup, Chaos.fromEnv(env, registry));
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
