package io.askpipe.router;

import io.askpipe.common.Env;
import io.askpipe.common.LogSettings;
import io.askpipe.common.Metrics;
import io.askpipe.common.ServiceRunner;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Runs the router worker as its own process, with {@code /metrics} and {@code /health}. Wiring only. */
public final class RouterMain {
    private RouterMain() {}

    public static void main(String[] args) {
        LogSettings.apply(Env.system(), "router-worker");
        RouterConfig config = RouterConfig.fromEnv(Env.system());
        PrometheusMeterRegistry registry = Metrics.prometheus("router-worker");
        RouterService service = RouterService.start(config, registry);
        ServiceRunner.serve("router-worker", config.http(), registry, service.readiness(), service, router -> {});
    }
}
