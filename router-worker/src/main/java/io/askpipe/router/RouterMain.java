package io.askpipe.router;

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
 * Runs the router worker as its own process, with {@code /healthz} and, on the operations port,
 * {@code /metrics} and {@code /readyz}. Wiring only. With {@code CHAOS_MODE} on, a chaos crash
 * ({@code CHAOS_WORKER_CRASH}) halts the process with status {@value Chaos#CRASH_STATUS}, for its
 * supervisor to restart.
 */
public final class RouterMain {
    private RouterMain() {}

    /** Every setting the router worker's process reads, each once. */
    public static List<Setting<?>> settings() {
        return Setting.union(
                LogSettings.settings(), RouterConfig.settings(), Startup.settings(), Chaos.Settings.settings());
    }

    public static void main(String[] args) {
        ServiceRunner.exitOnFailure("router-worker", () -> {
            Env env = Env.system();
            LogSettings.apply(env, "router-worker");
            RouterConfig config = RouterConfig.fromEnv(env);
            Startup startup = Startup.fromEnv("router-worker", env);
            PrometheusMeterRegistry registry = Metrics.prometheus("router-worker");
            RouterService service = RouterService.start(config, registry, startup, Chaos.fromEnv(env, registry));
            ServiceRunner.serve(
                    "router-worker",
                    config.http(),
                    config.ops(),
                    registry,
                    service.readiness(),
                    startup,
                    service,
                    router -> {},
                    ops -> {});
        });
    }
}
