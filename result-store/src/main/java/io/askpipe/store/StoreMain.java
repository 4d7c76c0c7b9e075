package io.askpipe.store;

import io.askpipe.common.Env;
import io.askpipe.common.LogSettings;
import io.askpipe.common.Metrics;
import io.askpipe.common.ServiceRunner;

/** Runs the result store as its own process, serving the read API. Wiring only. */
public final class StoreMain {
    private StoreMain() {}

    public static void main(String[] args) {
        LogSettings.apply(Env.system(), "result-store");
        StoreConfig config = StoreConfig.fromEnv(Env.system());
        StoreService service = StoreService.start(config);
        ServiceRunner.serve("result-store", config.http(), Metrics.prometheus("result-store"), service, service::mount);
    }
}
