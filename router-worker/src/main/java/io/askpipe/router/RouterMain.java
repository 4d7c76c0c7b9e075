package io.askpipe.router;

import io.askpipe.common.Env;
import io.askpipe.common.HttpServers;
import io.askpipe.common.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the router worker as its own process, with {@code /metrics} and {@code /health}. Wiring only. */
public final class RouterMain {
    private static final Logger LOG = LoggerFactory.getLogger(RouterMain.class);

    private RouterMain() {}

    public static void main(String[] args) {
        RouterConfig config = RouterConfig.fromEnv(Env.system());
        PrometheusMeterRegistry registry = Metrics.prometheus("router-worker");
        RouterService service = RouterService.start(config, registry);
        Vertx vertx = Vertx.vertx();
        HttpServer server = HttpServers.start(vertx, HttpServers.baseRouter(vertx, registry), config.http());
        LOG.info("router-worker metrics on {}:{}", config.http().host(), server.actualPort());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            service.close();
                            vertx.close().await();
                        },
                        "router-shutdown"));
    }
}
