package io.askpipe.store;

import io.askpipe.common.Env;
import io.askpipe.common.LogSettings;
import io.askpipe.common.Metrics;
import io.askpipe.common.ServiceRunner;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Runs the result store as its own process, serving the read API. Wiring only. */
public final class StoreMain {
    private StoreMain() {}

    public static void main(String[] args) {
        LogSettings.apply(Env.system(), "result-store");
        StoreConfig config = StoreConfig.fromEnv(Env.system());
        PrometheusMeterRegistry registry = Metrics.prometheus("result-store");
        StoreService service = StoreService.start(config, registry);
        ServiceRunner.serve("result-store", config.http(), registry, service.readiness(), service, service::mount);
    }
}
