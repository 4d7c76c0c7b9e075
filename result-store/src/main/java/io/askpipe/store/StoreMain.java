package io.askpipe.store;

import io.askpipe.common.Env;
import io.askpipe.common.HttpServers;
import io.askpipe.common.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the result store as its own process, serving the read API. Wiring only. */
public final class StoreMain {
    private static final Logger LOG = LoggerFactory.getLogger(StoreMain.class);

    private StoreMain() {}

    public static void main(String[] args) {
        StoreConfig config = StoreConfig.fromEnv(Env.system());
        PrometheusMeterRegistry registry = Metrics.prometheus("result-store");
        StoreService service = StoreService.start(config);
        Vertx vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx, registry);
        service.mount(router);
        HttpServer server = HttpServers.start(vertx, router, config.http());
        LOG.info("result-store read API on {}:{}", config.http().host(), server.actualPort());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close().await();
                            service.close();
                            vertx.close().await();
                        },
                        "store-shutdown"));
    }
}
